"""The office's own settings: one row, created with defaults on first use."""

from sqlmodel import Session, select

from app.models import OfficeSettings


def get_office(session: Session) -> OfficeSettings:
    """The office settings, created with defaults if the row does not exist yet."""
    office = session.exec(select(OfficeSettings).order_by(OfficeSettings.id)).first()
    if office is None:
        office = OfficeSettings()
        session.add(office)
        session.flush()
    return office
