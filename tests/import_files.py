"""Made-up old minutes and action logs, built here in each layout offices keep (never copies
of real documents): the three-column table, numbered headings, an .xlsx log and a Word log."""

import io
from datetime import datetime

import docx
from openpyxl import Workbook


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _front(document, title: str, when: str) -> None:
    document.add_heading(title, level=1)
    for line in (f"Date: {when}", "Chair: Alice Hartley", "Minutes: Ben Okafor, Policy Officer, "
                 "OPCC", "Venue: Committee Room 2, Police HQ"):
        document.add_paragraph(line, style="List Bullet")


def table_minutes(*, attendee_extra: str = "") -> bytes:
    """Minutes as a table: item number | minutes | ACTION, with an attendance table."""
    document = docx.Document()
    _front(document, "Monthly Assurance Meeting March 2021 – Meeting Notes",
           "Tuesday 23rd March 2021 @ 10:00")
    people = document.add_table(rows=0, cols=3)
    for row in (("", "Name:", "Capacity:"),
                ("Attendance:", "Alice Hartley", "Police and Crime Commissioner (PCC)"),
                ("", "Colin Mbeki", "Chief Constable (CC)"),
                ("", "Dana Pryce", "Deputy Chief Constable (DCC)"),
                *((("", attendee_extra, "Head of Estates"),) if attendee_extra else ()),
                ("Apologies:", "Evan Rhodes", "Chief Executive (CEO)")):
        cells = people.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    table = document.add_table(rows=0, cols=3)

    def row(number: str, *paragraphs: str, action: str = "") -> None:
        cells = table.add_row().cells
        cells[0].text = number
        cells[1].text = paragraphs[0] if paragraphs else ""
        for text in paragraphs[1:]:
            cells[1].add_paragraph(text)
        cells[2].text = action

    row("1", "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD", "None were discussed.",
        action="ACTION")
    row("2", "HOLDING TO ACCOUNT")
    row("2.1", "FLEET MANAGEMENT:")
    row("", "1. Vehicle Availability")
    row("", "The PCC asked the CC how many response cars were off the road. The CC responded "
        "that eleven were awaiting parts and a new supplier had been engaged.")
    row("", "The fleet manager has a recovery plan agreed with the supplier.")
    row("", "Actions arising:")
    row("", "The DCC to report vehicle availability by district.", action="DCC\nA/2021/007\n"
        "30/04/2021")
    row("", "2. Fuel Costs")
    row("", "The PCC queried the rise in fuel costs. The DCC replied that prices had risen "
        "nationally.")
    row("", "Actions arising:")
    row("", "To share the fuel card audit with the OPCC.", action="FM\n31 May 2021")
    row("3", "AOB No items")
    row("4", "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE: Performance, Tuesday "
        "27 April 2021, 10:00am Room 4")
    return _save(document)


def heading_minutes() -> bytes:
    """Minutes as paragraphs under numbered headings, actions written in the text."""
    document = docx.Document()
    document.add_paragraph("Police Accountability Board – Minutes", style="Title")
    document.add_paragraph("Date: 14 September 2020, 2pm")
    document.add_paragraph("Location: Virtual meeting")
    document.add_paragraph("Chaired by: Alice Hartley")
    document.add_paragraph("Present: Alice Hartley (PCC); Colin Mbeki (CC); Fay Lund (ACC)")
    document.add_paragraph("Apologies: Dana Pryce (DCC)")
    document.add_heading("1. Welcome and apologies", level=2)
    document.add_paragraph("The chair welcomed everyone. Apologies were noted.")
    document.add_heading("2. Minutes of the last meeting", level=2)
    document.add_paragraph("The minutes were agreed as an accurate record.")
    document.add_heading("3. Rural crime", level=2)
    document.add_paragraph("The PCC sought assurance that rural crime reports were followed "
                           "up. The ACC responded that a rural crime team had been formed.")
    document.add_paragraph("Farm watch schemes now cover every district:")
    document.add_paragraph("Twelve new members joined in August.", style="List Bullet")
    document.add_paragraph("Two more schemes start in October.", style="List Bullet")
    document.add_paragraph("Action: FL to circulate the rural crime plan (Owner: ACC; "
                           "due 30/10/2020)")
    document.add_heading("4. Any other business", level=2)
    document.add_paragraph("Action – Head of Comms to publish the farm watch leaflet. "
                           "Due: November 2020")
    return _save(document)


def unrelated_docx() -> bytes:
    """A Word file that is not minutes: a letter."""
    document = docx.Document()
    document.add_paragraph("Dear Sir or Madam,")
    document.add_paragraph("Thank you for your letter about the parking outside the station. "
                           "We will look into it and reply within twenty days.")
    document.add_paragraph("Yours faithfully,")
    return _save(document)


LOG_ROWS = [
    ("Ref", "Date raised", "Action", "Action by", "Deadline", "RAG", "Progress"),
    ("A/2020/031", datetime(2020, 6, 30), "Review the stop and search scrutiny panel's terms "
     "of reference.", "DCC", datetime(2020, 9, 30), "Complete", "Terms agreed in September."),
    ("A/2020/032", datetime(2020, 6, 30), "Report on 101 call answering times.", "CC",
     datetime(2020, 10, 31), "Amber", "First report due in October."),
    ("A/2020/033", datetime(2020, 7, 28), "Share the victims' survey results.", "ZQ",
     "", "Open", ""),
]


def action_log_xlsx(rows: list[tuple] | None = None) -> bytes:
    """An action log kept in Excel: a title row, then the headings, then one row an action
    (LOG_ROWS unless other rows are given)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Accountability Board action log 2020"])
    sheet.append([])
    for row in rows or LOG_ROWS:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def action_log_docx() -> bytes:
    """The same log as a Word table, worded as another office words it."""
    document = docx.Document()
    document.add_paragraph("Action Log")
    table = document.add_table(rows=0, cols=7)
    headings = ("No.", "Meeting", "Action", "Lead", "Due date", "Status", "Update")
    for values in (headings, *LOG_ROWS[1:]):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value.strftime("%d/%m/%Y") if isinstance(value, datetime) else value
    return _save(document)
