"""England and Wales bank holidays, named as GOV.UK names them."""

from datetime import date, timedelta

import pytest

from app.services.bank_holidays import bank_holiday


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2020, 5, 8), "Early May bank holiday (VE Day)"),
        (date(2022, 6, 2), "Spring bank holiday"),
        (date(2022, 6, 3), "Platinum Jubilee bank holiday"),
        (date(2022, 9, 19), "Bank holiday for the State Funeral of Queen Elizabeth II"),
        (date(2023, 5, 1), "Early May bank holiday"),
        (date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"),
        (date(2021, 12, 25), "Christmas Day"),
        (date(2021, 12, 27), "Christmas Day (substitute day)"),
        (date(2021, 12, 28), "Boxing Day (substitute day)"),
        (date(2022, 1, 3), "New Year's Day (substitute day)"),
        (date(2025, 4, 18), "Good Friday"),
        (date(2025, 4, 21), "Easter Monday"),
        (date(2025, 5, 5), "Early May bank holiday"),
        (date(2025, 5, 26), "Spring bank holiday"),
        (date(2025, 8, 25), "Summer bank holiday"),
        (date(2025, 12, 25), "Christmas Day"),
        (date(2025, 12, 26), "Boxing Day"),
    ],
)
def test_bank_holidays_by_name(day, name):
    assert bank_holiday(day) == name


@pytest.mark.parametrize(
    "day",
    [
        date(2020, 5, 4),  # the first Monday of May 2020: the holiday moved to VE Day
        date(2022, 5, 30),  # the last Monday of May 2022: the holiday moved to 2 June
        date(2025, 4, 22),  # a normal Tuesday
        date(2024, 3, 17),  # St Patrick's Day: Northern Ireland only
        date(2024, 8, 5),  # the first Monday of August: Scotland only
        date(2024, 11, 29),  # St Andrew's Day (substitute), Scotland only
    ],
)
def test_other_days_are_not_bank_holidays(day):
    assert bank_holiday(day) is None


def test_the_whole_of_2022():
    days = [date(2022, 1, 1) + timedelta(days=n) for n in range(365)]
    assert {day: bank_holiday(day) for day in days if bank_holiday(day)} == {
        date(2022, 1, 1): "New Year's Day",
        date(2022, 1, 3): "New Year's Day (substitute day)",
        date(2022, 4, 15): "Good Friday",
        date(2022, 4, 18): "Easter Monday",
        date(2022, 5, 2): "Early May bank holiday",
        date(2022, 6, 2): "Spring bank holiday",
        date(2022, 6, 3): "Platinum Jubilee bank holiday",
        date(2022, 8, 29): "Summer bank holiday",
        date(2022, 9, 19): "Bank holiday for the State Funeral of Queen Elizabeth II",
        date(2022, 12, 25): "Christmas Day",
        date(2022, 12, 26): "Boxing Day",
        date(2022, 12, 27): "Christmas Day (substitute day)",
    }
