"""Importing people from a CSV file: reading what Excel saves, the preview's plan row by row
(bad rows, duplicates, updates by email), and that only the confirmed import saves."""

import pytest
from sqlmodel import select

from app.models import AuditEvent, Person, Role, Side
from app.services import people
from app.services.errors import Forbidden, InvalidInput
from app.services.people_import import (
    MAX_FILE_BYTES,
    import_people,
    plan_import,
    read_file,
)
from app.services.permissions import Actor
from tests.factories import SYSTEM, make_person

OFFICERS = (
    "Name,Initials,Rank,Abbreviation,Email\r\n"
    "Amanda Blakeman,ABL,Deputy Chief Constable,DCC,amanda.blakeman@police.example\r\n"
    "Rachel Jones,RJ,Chief Superintendent,,rachel.jones@police.example\r\n"
)


def _people(session) -> dict[str, Person]:
    return {p.full_name: p for p in session.exec(select(Person))}


def test_a_plain_list_adds_everyone_on_the_chosen_side(session):
    plan = plan_import(session, OFFICERS, default_side=Side.force)
    assert [r.values["full_name"] for r in plan.adds] == ["Amanda Blakeman", "Rachel Jones"]
    assert plan.problems == [] and plan.updates == [] and plan.count == 2
    assert plan.columns == {"Name": "full_name", "Initials": "initials", "Rank": "role_title",
                            "Abbreviation": "role_abbreviation", "Email": "email"}
    assert _people(session) == {}  # the preview saves nothing

    import_people(session, OFFICERS, by=SYSTEM, default_side=Side.force)
    saved = _people(session)
    dcc = saved["Amanda Blakeman"]
    assert (dcc.initials, dcc.role_title, dcc.role_abbreviation, dcc.side, dcc.email) == (
        "ABL", "Deputy Chief Constable", "DCC", "force", "amanda.blakeman@police.example")
    assert saved["Rachel Jones"].role_abbreviation == ""
    audits = session.exec(select(AuditEvent).where(AuditEvent.object_type == "person")).all()
    assert len(audits) == 2  # each person added is in the audit log


def test_each_bad_row_gets_a_plain_message_and_the_good_rows_still_import(session):
    make_person(session, full_name="John Campion", initials="JC", side=Side.opcc)
    text = (
        "Full name,Initials,Email,Side\n"
        "Amanda Blakeman,AB,amanda@police.example,force\n"  # row 2: fine
        ",XY,nobody@police.example,force\n"  # row 3: no name
        "Rachel Jones,RJ,rachel at police,force\n"  # row 4: not an email
        "Ann Brown,AB,ann@police.example,force\n"  # row 5: initials of row 2
        "Jane Cole,JC,jane@police.example,force\n"  # row 6: John Campion's initials
        "Tom Hill,TH,AMANDA@police.example,force\n"  # row 7: row 2's email
        "Sam Lee,SL,sam@police.example,council\n"  # row 8: no such side
        ",,,\n"  # row 9: blank, skipped without a word
        f"{'N' * 201},NL,long@police.example,force\n"  # row 10: name too long
    )
    plan = plan_import(session, text)
    assert plan.problems == [
        "Row 3: no name",
        "Row 4: the email is not an email address",
        "Row 5: the initials AB are also on row 2",
        "Row 6: the initials JC are John Campion's already; give this person other initials",
        "Row 7: the email AMANDA@police.example is also on row 2",
        'Row 8: the side "council" is not one of office, force or other',
        "Row 10: the name is too long (at most 200 characters)",
    ]
    assert [r.number for r in plan.adds] == [2]
    import_people(session, text, by=SYSTEM)
    assert set(_people(session)) == {"John Campion", "Amanda Blakeman"}


def test_a_person_with_that_email_is_updated_not_added_again(session):
    dcc = make_person(session, full_name="Amanda Blakeman", initials="AB",
                      role_title="Assistant Chief Constable", role_abbreviation="ACC",
                      side=Side.force, email="Amanda.Blakeman@police.example")
    same = make_person(session, full_name="Rachel Jones", initials="RJ",
                       role_title="Chief Superintendent", side=Side.force,
                       email="rachel.jones@police.example")
    text = ("Name,Email,Job title,Abbreviation\n"
            "Amanda Blakeman,amanda.blakeman@POLICE.example,Deputy Chief Constable,DCC\n"
            "Rachel Jones,rachel.jones@police.example,Chief Superintendent,\n")
    plan = plan_import(session, text)
    assert plan.adds == []
    assert [(r.person_id, r.changes) for r in plan.updates] == [
        (dcc.id, {"role_title": ("Assistant Chief Constable", "Deputy Chief Constable"),
                  "role_abbreviation": ("ACC", "DCC")})]
    assert [r.person_id for r in plan.unchanged] == [same.id]
    assert plan.count == 1
    import_people(session, text, by=SYSTEM)
    session.refresh(dcc)
    assert (dcc.role_title, dcc.role_abbreviation, dcc.initials) == (
        "Deputy Chief Constable", "DCC", "AB")  # initials not in the file: kept
    assert len(_people(session)) == 2


def test_first_name_and_surname_columns_and_initials_made_from_the_name(session):
    text = "First name;Surname;Rank;Shoe size\nMary-Ann;Smith Jones;Inspector;6\n"
    plan = plan_import(session, text)
    assert plan.ignored == ["Shoe size"]  # said, not silently dropped
    (row,) = plan.adds
    assert row.values["full_name"] == "Mary-Ann Smith Jones"
    assert row.values["initials"] == "MASJ" and row.made_initials


def test_excel_files_in_utf8_with_a_bom_and_in_windows_1252_are_read(session):
    text = "Name,Role\nSiân O’Brien,Détective Inspector\n"
    for content in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252")):
        read = read_file("officers.csv", content)
        (row,) = plan_import(session, read).adds
        assert row.values["full_name"] == "Siân O’Brien"
        assert row.values["role_title"] == "Détective Inspector"
        assert "Name" in plan_import(session, read).columns  # the BOM is not in the heading


@pytest.mark.parametrize(("name", "content", "words"), [
    ("officers.csv", b"", "empty"),
    ("officers.csv", b" \r\n\r\n", "empty"),
    ("officers.xlsx", b"PK\x03\x04rest of a workbook", "spreadsheet, not a CSV"),
    ("officers.csv", b"PK\x03\x04a workbook renamed", "spreadsheet, not a CSV"),
    ("officers.pdf", b"%PDF-1.7 ...", "not a CSV file"),
    ("officers.csv", b"Name\n" + b"x" * MAX_FILE_BYTES, "smaller than 500 KB"),
    ("officers.csv", b"Name\n\x81\x8d\x8f\x90\x9d", "could not be read"),
])
def test_a_file_that_is_not_a_usable_csv_is_refused_plainly(name, content, words):
    with pytest.raises(InvalidInput) as refused:
        read_file(name, content)
    assert words in refused.value.errors["file"]


def test_a_file_without_a_name_column_says_which_columns_it_has(session):
    with pytest.raises(InvalidInput) as refused:
        plan_import(session, "Officer number,Station\n123,Hindlip\n")
    assert "Columns found: Officer number, Station" in refused.value.errors["file"]


def test_only_the_office_imports(session):
    with pytest.raises(Forbidden):
        import_people(session, OFFICERS, by=Actor(role=Role.force))
    assert _people(session) == {}


def test_the_directory_search_finds_by_name_initials_and_role_and_filters(session):
    make_person(session, full_name="Amanda Blakeman", initials="AB", side=Side.force,
                role_title="Deputy Chief Constable", role_abbreviation="DCC")
    make_person(session, full_name="John Campion", initials="JC", side=Side.opcc,
                role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    gone = make_person(session, full_name="Andrew Smith", initials="AS", side=Side.opcc,
                       role_title="Chief Executive")
    people.update_person(session, person_id=gone.id, data=people.PersonUpdate(active=False),
                         by=SYSTEM)

    def names(**kw):
        return [p.full_name for p in people.search_people(session, **kw).people]

    assert names(text="dcc") == ["Amanda Blakeman"]
    assert names(text="jc") == ["John Campion"]
    assert names(text="crime commissioner") == ["John Campion"]
    assert names(text="chief") == ["Amanda Blakeman", "Andrew Smith"]
    assert names(text="chief", active=True) == ["Amanda Blakeman"]
    assert names(active=False) == ["Andrew Smith"]
    assert names(side=Side.opcc) == ["Andrew Smith", "John Campion"]
    assert names(text="%") == []  # typed text, not a pattern


def test_the_directory_comes_a_page_at_a_time(session):
    for n in range(people.PAGE_SIZE + 3):
        make_person(session, full_name=f"Officer {n:03d}", initials=f"O{n}")
    first = people.search_people(session)
    last = people.search_people(session, page=99)
    assert (first.total, first.pages, len(first.people)) == (people.PAGE_SIZE + 3, 2,
                                                             people.PAGE_SIZE)
    assert (last.page, [p.full_name for p in last.people]) == (
        2, [f"Officer {n:03d}" for n in range(people.PAGE_SIZE, people.PAGE_SIZE + 3)])


@pytest.mark.parametrize("column", ["Title", "Honorific", "Salutation"])
def test_a_title_column_gives_people_their_title_and_a_long_one_is_a_bad_row(session, column):
    text = (f"Name,{column},Initials,Email\n"
            "Gareth Jones,Cllr,GJ,gareth.jones@council.example\n"
            f"Ann Brown,{'T' * 21},AB,ann.brown@council.example\n")
    plan = plan_import(session, text, default_side=Side.other)
    assert plan.columns[column] == "title"
    assert plan.problems == ["Row 3: the title is too long (at most 20 characters)"]
    assert [r.values.get("title") for r in plan.adds] == ["Cllr"]
    import_people(session, text, by=SYSTEM, default_side=Side.other)
    assert {name: p.title for name, p in _people(session).items()} == {"Gareth Jones": "Cllr"}


def test_a_new_title_for_someone_already_known_is_an_update(session):
    jones = make_person(session, full_name="Gareth Jones", initials="GJ", side=Side.other,
                        email="gareth.jones@council.example")
    text = "Name,Email,Title\nGareth Jones,gareth.jones@council.example,Cllr\n"
    plan = plan_import(session, text)
    assert [(r.person_id, r.changes) for r in plan.updates] == [(jones.id, {"title": ("", "Cllr")})]
    import_people(session, text, by=SYSTEM)
    session.refresh(jones)
    assert jones.title == "Cllr"
