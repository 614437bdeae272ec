"""England and Wales bank holidays, named as GOV.UK names them, from the `holidays` package."""

from datetime import date
from functools import lru_cache

import holidays

# Police and Crime Commissioners serve forces in England and Wales, which share one set of bank
# holidays (the package's "WLS" gives the same dates as "ENG"). Scotland and Northern Ireland
# have others (St Andrew's Day, the Battle of the Boyne...) but no PCCs, so they are not offered.
COUNTRY = "GB"
REGION = "ENG"

# The package's names, as GOV.UK's list of bank holidays words them. A name not listed here (a
# one-off holiday added in a later version of the package) is shown as the package gives it.
NAMES = {
    "May Day": "Early May bank holiday",
    "Spring Bank Holiday": "Spring bank holiday",
    "Late Summer Bank Holiday": "Summer bank holiday",
    "Platinum Jubilee of Elizabeth II": "Platinum Jubilee bank holiday",
    "State Funeral of Queen Elizabeth II": (
        "Bank holiday for the State Funeral of Queen Elizabeth II"
    ),
    "Coronation of Charles III": "Bank holiday for the coronation of King Charles III",
}
# The early May bank holiday moved to VE Day (8 May) for its 50th and 75th anniversaries.
VE_DAY_YEARS = {1995, 2020}
OBSERVED = " (observed)"


def bank_holiday(day: date) -> str | None:
    """The name of the England and Wales bank holiday on `day`, or None if it is not one.

    Christmas Day, Boxing Day and New Year's Day are named on the day itself even when it falls
    at a weekend; the weekday given off instead is "Christmas Day (substitute day)".
    """
    return _year(day.year).get(day)


@lru_cache(maxsize=64)
def _year(year: int) -> dict[date, str]:
    """One year's bank holidays by date, read from the package once per year."""
    found = holidays.country_holidays(COUNTRY, subdiv=REGION, years=year, language="en_GB")
    return {day: "; ".join(_name(day, name) for name in found.get_list(day)) for day in found}


def _name(day: date, name: str) -> str:
    # A holiday on a weekend gives the next weekday off: GOV.UK calls that a substitute day.
    substitute = name.endswith(OBSERVED)
    if substitute:
        name = name.removesuffix(OBSERVED)
    name = NAMES.get(name, name)
    if name == "Early May bank holiday" and day.year in VE_DAY_YEARS and day.day == 8:
        name += " (VE Day)"
    return f"{name} (substitute day)" if substitute else name
