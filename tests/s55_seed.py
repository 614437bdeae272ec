# ruff: noqa: E501 -- the seed's paragraphs are kept whole, one line each, as an officer types them
"""The roads-policing seed (an office's published s55 response) entered into the app: the report
imported as an officer would, then the response's texts typed from the seed's sections."""

from datetime import date
from pathlib import Path

from app.services import inspections
from app.services.inspection_import import parse_report
from app.services.inspections import ReviewedFinding, ReviewedReport
from app.services.s55_response import ResponseTexts, update_texts
from tests.factories import SYSTEM

ROADS = (Path(__file__).parent / "data" / "hmicfrs"
         / "hmicfrs-roads-policing-summary-with-pcc-and-cc-responses.txt")

SUMMARY = """\
The inspection examined how effectively the road network of England and Wales is policed with a focus on the following four themes:
1) Are national and local roads policing strategies effective?
2) Does capability and capacity match demand?
3) Do the police engage effectively with the public and partners?
4) How well are police officers trained to deal with roads policing matters?

Overall, the inspection found that roads policing in some forces is inadequate; that capability and capacity don’t meet demand; there is a lack of coordination with partners; and that roads policing training needs to be standardised and accredited.

The report makes 13 recommendations, to the police and other bodies, which are intended to:
- Give clarity and guidance to the police and other bodies about their collective responsibilities
- Improve forces’ understanding of the risks faced by road users in their areas
- Make sure forces and road safety partners work together effectively
- Bring about compliance with national guidance on the use of speed and red light cameras
- Provide greater support and training to officers who investigate road deaths"""

RECOMMENDATIONS_INTRO = (
    "6 of the recommendations are for chief constables to act on with immediate effect with "
    "the remaining 7 required to be delivered by April or August 2021 across the Home Office, "
    "DfT, NPCC and the College of Policing.")

PCC_INITIAL = """\
This report highlights a number of important points to be addressed, however, for context there has been a significant reduction in casualties on our roads between 2016 and 2019: a 27% reduction in the number of people killed or seriously injured and a 51% reduction in the number of overall casualties.

The Staffordshire Safer Roads Partnership is a good model which brings all relevant agencies together to tackle the problem through education and engineering solutions alongside enforcement. That is not say there are no opportunities for improvement, including the means by which services are held to account for their contribution and I welcome the proposal for a National Road Safety Strategy to bring clarity to roles and responsibilities within the partnership.

The report highlights the vital work of the Central Motorways Policing Group which continues to receive my firm support. Their role is crucial not just in the context of road safety but also in targeting serious and organised crime.

I have recognised the concern of communities that more needs to be done. Through an increase in the precept for 2020/21 I have enabled Staffordshire Police to enhance its Roads Policing Team with increased officer numbers, dedicated vehicles, specialist training, drones and other equipment. This is already having a significant impact on the illegal use of off-road bikes and driving at excessive speed. It has also enabled joint operations with partners to tackle the ‘fatal four’ offences (speed, drink and drugs, seat belts and mobile phones).

In addition to the recommendations above, I will continue to hold the force to account on their progress towards the areas for improvement identified."""

CC_INTRO = (
    "The force welcomed HMICFRS’s visit in November 2019 and especially the feedback received "
    "at the end of the fieldwork due to the new Roads Policing Unit being in implementation "
    "phase at the time. HMICFRS acknowledged during the debrief that good work had already "
    "taken place and that the force knew where it wanted to be and was going in the right "
    "direction to achieve it.")

CC_RESPONSES = {
    "4": "The force already had a STRA for 2020 in place from January. The revised STRA will be completed during December 2020 and will reflect the greatest TH&R for the force.",
    "6": """\
• their force has enough analytical capability (including that provided by road safety partnerships) to identify risks and threats on the road network within their force area;
Analytical capability is provided within the Staffordshire Safer Roads Partnership this drives road safety related initiatives and daily local tasking. Crime based threats are provided from Knowledge Hub. Bespoke daily briefing/tasking products are in the process of being developed.

• that information shared by partners relating to road safety is used effectively to reduce those risks and threats; and
Partnership information is shared through the Staffordshire Safer Roads Partnership with all partners focussed and positively engaged in delivery of NPCC/TISPOL calendar of events.

• there is evaluation of road safety initiatives to establish their effectiveness
The establishment of the force harm prevention teams has been delayed due to COVID but is now beginning to take shape, accompanying this will be robust evaluation. The force is working closely with Keele University to develop evidence based practice within the force approach and will be seeking opportunities to evaluate approaches. Evaluation of previous partnership operations has been relatively informal and lacked structure; there is an opportunity to develop and improve.""",
    "8": "Camera enforcement undertaken by the force and Staffordshire Safer Roads Partnership has continued to apply the guidance included in Department for Transport Circular 1/2007. However, in response to this recommendation the document has been circulated to all relevant teams for review.",
    "9": "Although the force has not adopted Operation Snap, the public is able to submit digital data from dashcams to the Collision Investigation Unit; this is referred as such in any press releases the force might published when dealing with an incident requiring the public to send dashcam videos. This is also managed through the Resolution Centre and operates effectively with sufficient capacity to manage demand.",
    "10": "Central Motorway Police Group (CMPG) is the force’s most significant road policing contribution to the policing of the Strategic Road Network, this comprises the M6, M54, M42, A38, A50, A500 and A5. The Roads Policing Unit (RPU) support mainly on A roads. Partnerships and associated agreements are well established within CMPG and would recommend further detail relevant to Staffordshire is sought from them. There are opportunities to further explore those pertinent to the A road network which the RPU routinely police. This is work on-going for the RPU.",
    "12": "The Serious Collision Investigation Unit (SCIU) officers and Family Liaison Officers all undertake very traumatic roles and following each and every deployment they are debriefed to ensure that any welfare needs are appropriately managed. CMPG has a well embedded TRiM (Trauma Risk incident Management) process where officers’ benefit from Trauma Incident Briefings with appropriate referrals made for extra support where needed. CMPG is also in the process of commencing 6 monthly Clinical Supervision sessions where each officer (including Staffordshire officers) will receive a trauma assessment by West Midlands Police Occupational Health which will assist in the identification of residual trauma and enable appropriate measures to be put in place to mitigate and manage this.",
}

# The seed has no response of the Commissioner's to each recommendation (its initial response
# covers them all); an office answering one by one would write like this.
PCC_RESPONSES = {
    "4": "I will ask the Chief Constable to present the revised STRA at the Strategic Governance Board in January 2021.",
}

OVERALL = """\
As Commissioner I will continue to maintain roads policing as a priority. I am in support of the force’s ongoing and proposed actions in this area and we will continue to monitor progress through the Staffordshire Safer Roads Partnership and our performance and scrutiny arrangements.

Through local Council Tax increases, I have made a significant investment in the development of Roads Policing in Staffordshire to address criminality across Staffordshire and making our roads safer for everyone.

This has enabled a ‘whole force’ approach to roads policing through Operation Lightning, reducing the number of people killed or seriously injured on our roads, as well as disrupting and deterring criminals' use of the roads to reduce crime and harm. The dedicated road safety operation focuses on the ‘fatal four’ motoring offences that are major causes of death and serious injury on the roads – speeding, mobile phone use, drink and drug use and not wearing a seatbelt.

Between November 2019 and August 2020, the Roads Policing Unit carried out:
- 314 arrests
- 266 drug tests
- 147 breath tests
- 228 vehicle seizures
- 203 stop searches
- 2,466 traffic offence reports

The latest national figures show that despite the challenges of Covid, crime in our region is down 10 percent – compared to an average of five percent across the rest of the country."""

DATES = {
    "cc_comments_requested_on": date(2024, 3, 15),
    "cc_comments_received_on": date(2024, 4, 19),
    "response_published_on": date(2024, 5, 2),
    "response_sent_on": date(2024, 5, 3),
}


def import_roads(session, *, by=SYSTEM, published_on=date(2024, 3, 14)):
    """The roads-policing report imported and saved, as an officer would from the review."""
    report = parse_report(ROADS.read_text())
    data = ReviewedReport(
        title="Roads policing: not optional", force="Staffordshire Police", kind="Thematic",
        published_on=published_on,
        findings=[ReviewedFinding(kind=f.kind, text=f.text, number=f.number or "")
                  for f in report.findings])
    inspection = inspections.save_import(session, data, by=by)
    session.commit()
    return inspection


def enter_seed(session, *, by=SYSTEM, dates=True):
    """The roads-policing report with every text of the seed's response entered."""
    inspection = import_roads(session, by=by)
    numbers = {f.number: f.id for f in inspections.findings_of(session, inspection.id)}
    findings = {numbers[n]: {"cc_response": text} for n, text in CC_RESPONSES.items()}
    for n, text in PCC_RESPONSES.items():
        findings[numbers[n]]["pcc_response"] = text
    update_texts(session, inspection.id, ResponseTexts(
        summary=SUMMARY, grade="", recommendations_intro=RECOMMENDATIONS_INTRO,
        pcc_initial_response=PCC_INITIAL, cc_response_intro=CC_INTRO,
        pcc_overall_comments=OVERALL, findings=findings), by=by)
    if dates:
        inspections.update_register_dates(session, inspection.id, DATES, by=by)
    session.commit()
    session.refresh(inspection)
    return inspection
