"""The personal-data detector against a corpus written for the purpose (all fictional).

Each positive snippet holds one piece of personal data of the kind given; each negative
snippet is the kind of free text a project record holds and must not be flagged.
Precision and recall are printed per kind (run with `-s` to see them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustworthy.core.personal_data import (
    KINDS,
    STRUCTURED_KINDS,
    Finding,
    find_personal_data,
    first_names,
    nhs_number_is_valid,
)

# Names after a phrase people use to name someone, without a title: recall at least 0.9.
CUED_NAMES: list[str] = [
    "My name is Jamie Smith and I am 15.",
    "my name's Kayden",
    "Hi, I'm Aisha and I go to the youth club.",
    "I am Tyler, I live with my nan.",
    "Her name is Precious and she is in foster care.",
    "His name was Oliver.",
    "The boy's name is Mason.",
    "She is called Zara.",
    "My little brother is called Alfie.",
    "A girl named Chloe told us the bus was late.",
    "He is known as Dev at school.",
    "I'm Leon, I'm 13.",
    "My worker is called Bex.",
    "Their name is Robin and they use they/them.",
    "This is Amelia writing for my mum.",
    "The young person, known as Kai, said it helped.",
    "My carer's name is Deborah.",
    "My name is Mohammed Khan.",
    "I'm Sophie and I didn't like the meetings.",
    "my mum is called Tracey",
    "He calls himself Jay now.",
    "I am Priya and I want to say thank you.",
    "My name is Bartek and I came from Poland.",
    "Your name is Ellie, right?",
    "The child's name is Harvey.",
    "My name is Chidi.",
    "I'm Isla. I'm 10.",
    "A boy called Reece kept texting.",
    "She told me her name was Lacey.",
    "My sister is named Maisie.",
]

POSITIVE: list[tuple[str, str]] = [
    # names with titles
    ("We spoke to Mrs Patel about the pilot.", "name"),
    ("Mr Jones said the hub felt safe.", "name"),
    ("Feedback from Ms Okafor was mixed.", "name"),
    ("Miss Grace Hollins chaired the panel.", "name"),
    ("Dr Amir Haddad reviewed the model.", "name"),
    ("Prof. Lena Sorensen advised on the evaluation.", "name"),
    ("Our thanks to Mx Robin Ashdown.", "name"),
    ("Cllr Peter Marsh asked about costs.", "name"),
    ("The letter from Mr. O'Neill arrived late.", "name"),
    ("Mrs Ewa Kowalska-Nowak attended with her son.", "name"),
    ("Councillor Hannah Brightwell supported the bid.", "name"),
    ("Master Tobias Reed, aged nine, took part.", "name"),
    ("Reverend Samuel Adeyemi hosted the session.", "name"),
    ("Lady Margaret Finch opened the centre.", "name"),
    ("Sir Alan Fairweather funded the pilot.", "name"),
    ("As Dr J. Mahmood put it, trust takes time.", "name"),
    ("Mrs Brown's grandson was worried.", "name"),
    ("Professor Ines Duarte led the research.", "name"),
    ("Notes by Ms Chloe Tan-Whitfield.", "name"),
    ("Mr Kwame Mensah, foster carer, agreed.", "name"),
    # dates of birth
    ("Child A, date of birth 14/03/2012, was consulted.", "date_of_birth"),
    ("DOB: 02/11/2009", "date_of_birth"),
    ("D.O.B. 7.6.2015", "date_of_birth"),
    ("born on 3 May 2010 in Leeds", "date_of_birth"),
    ("She was born 21st September 2008.", "date_of_birth"),
    ("Date of birth: 2011-04-30", "date_of_birth"),
    ("dob 09-12-2013", "date_of_birth"),
    ("Born: 1 January 2016", "date_of_birth"),
    ("His birthday is 12 August 2014.", "date_of_birth"),
    ("born March 4, 2012", "date_of_birth"),
    ("DoB 31/01/07", "date_of_birth"),
    ("Date of Birth - 5th of June 2010", "date_of_birth"),
    ("The young person (born 18 Feb 2009) agreed to share.", "date_of_birth"),
    ("d.o.b: 22.10.2011", "date_of_birth"),
    ("date of birth was 3/9/2015", "date_of_birth"),
    ("born on 10th Dec 2012", "date_of_birth"),
    ("DOB 2014-07-19 (from the referral)", "date_of_birth"),
    ("Her date of birth is 6 April 2007.", "date_of_birth"),
    ("born 29/02/2012", "date_of_birth"),
    ("Birthday: 15 November 2013", "date_of_birth"),
    # NHS numbers (valid check digits)
    ("NHS number 186 091 3903 on the form.", "nhs_number"),
    ("NHS no. 9960308243", "nhs_number"),
    ("628-194-8211", "nhs_number"),
    ("Ref 993 518 1901 from the GP letter.", "nhs_number"),
    ("937 865 7974", "nhs_number"),
    ("patient 5432319489", "nhs_number"),
    ("NHS: 252 760 1898", "nhs_number"),
    ("555-979-7111 was on the consent form", "nhs_number"),
    ("number (507 529 1708)", "nhs_number"),
    ("3423667125", "nhs_number"),
    ("NHS 768 426 8465.", "nhs_number"),
    ("the child's NHS number is 5632122336", "nhs_number"),
    ("859 952 8904", "nhs_number"),
    ("786 666 1766 (health visitor)", "nhs_number"),
    ("NHS number: 571-177-7742", "nhs_number"),
    ("121 547 2803", "nhs_number"),
    ("385 280 8413 - from the school nurse", "nhs_number"),
    ("NHS 4852538883", "nhs_number"),
    ("539 336 3389", "nhs_number"),
    ("7500474393 on the referral", "nhs_number"),
    # postcodes
    ("Her new home is in LS6 2AB.", "postcode"),
    ("Family moved to M1 1AE last year.", "postcode"),
    ("Postcode: SW1A 1AA", "postcode"),
    ("B33 8TH", "postcode"),
    ("CR2 6XH was the address given.", "postcode"),
    ("DN55 1PT", "postcode"),
    ("W1A 0AX", "postcode"),
    ("EC1A 1BB is near the office.", "postcode"),
    ("home postcode NE1 4ST", "postcode"),
    ("the flat in BS1 5TR", "postcode"),
    ("L18 0HA (grandmother)", "postcode"),
    ("Lives in PL4 8AA with her aunt.", "postcode"),
    ("sent to G2 3AZ", "postcode"),
    ("postcode was CF10 1EP", "postcode"),
    ("address ending OX1 2JD", "postcode"),
    ("SE15 4QF", "postcode"),
    ("at NW10 7TY until May", "postcode"),
    ("moved from BT7 1NN", "postcode"),
    ("S10 2TN", "postcode"),
    ("M601NW", "postcode"),
    # phone numbers
    ("Call her on 07700 900123.", "phone"),
    ("Mobile: 07911 123456", "phone"),
    ("Tel 0161 496 0000", "phone"),
    ("ring 020 7946 0958 after school", "phone"),
    ("+44 7700 900456", "phone"),
    ("+44 (0)113 496 0123", "phone"),
    ("01632 960321", "phone"),
    ("dad's number 07700900789", "phone"),
    ("(0117) 496 0765", "phone"),
    ("Phone: 0118-496-0555", "phone"),
    ("+447700900111", "phone"),
    ("landline 01632 960 987", "phone"),
    ("contact 0300 123 4567", "phone"),
    ("text 07700-900-432", "phone"),
    ("on 0131 496 0321 or by letter", "phone"),
    # email addresses
    ("Email jane.doe@example.com for the notes.", "email"),
    ("sam_k@mail.example.org", "email"),
    ("Contact: r.ahmed+family@example.net", "email"),
    ("parent: mum.of.three@example.co.uk", "email"),
    ("the worker (t.lee@northshire.example.gov.uk)", "email"),
    ("Send it to kids-voice@example.org.", "email"),
    ("a.b@example.io wrote back", "email"),
    ("Reply to JAMIE.SMITH@EXAMPLE.COM", "email"),
    ("foster carer's email: carer2024@example.com", "email"),
    ("o'brien@example.ie", "email"),
    *((text, "name") for text in CUED_NAMES),
    # names without a title or a cue: a known first name and a surname
    ("Jamie Smith said the pilot helped.", "name"),
    ("We met Sarah Collins at the hub.", "name"),
    ("Ask Daniel Okoro about the rota.", "name"),
    ("Notes from the call with Emma Wright.", "name"),
    ("Liam O'Connor is on the waiting list.", "name"),
    ("Fatima Begum's son has moved again.", "name"),
    ("Shared by Connor Walsh on Friday.", "name"),
    ("Olivia Barnes and her brother came.", "name"),
    ("Rachel Greene will chase the referral.", "name"),
    ("Then Tomasz Nowak joined the group.", "name"),
    # street addresses
    ("I live at 12 Oak Road.", "address"),
    ("She lives at 4 Church Street with her nan.", "address"),
    ("The family moved to 27B Station Road last month.", "address"),
    ("Flat 3, 18 Victoria Avenue", "address"),
    ("He stays at 9 Meadow Close at weekends.", "address"),
    ("We live on Mill Lane near the shop.", "address"),
    ("Our address is 101 Kings Drive.", "address"),
    ("They were living on Princes Way then.", "address"),
    ("I stay at my dad's, 45 Hawthorn Crescent.", "address"),
    ("Visit 7 Albert Terrace after four.", "address"),
    ("Mum moved to 2 Willow Gardens.", "address"),
    ("Apartment 12, 3 Dock Street", "address"),
    ("letters go to 88 Queen's Park Road", "address"),
    ("He lives in Cedar Grove now.", "address"),
    ("Home visit at 16 Beech Walk on Tuesday.", "address"),
    ("I used to live at 23 High Street.", "address"),
    ("my nan lives on Orchard Way", "address"),
    ("at 5 Mount Pleasant Road", "address"),
    ("The foster placement is at 31 Elm Court.", "address"),
    ("We moved to 10 Rowan Close in the summer.", "address"),
    # schools
    ("I go to Oakfield Primary School.", "school"),
    ("He is in Year 9 at Greenfields Academy.", "school"),
    ("She was excluded from Hillside High School.", "school"),
    ("My sister goes to St Mary's Catholic Primary School.", "school"),
    ("Kai moved to Riverside Academy in September.", "school"),
    ("Brookfield Infant School sent a letter.", "school"),
    ("the head of Westgate Secondary School", "school"),
    ("I started at Harton Academy this year.", "school"),
    ("He is at Moorside Junior School.", "school"),
    ("Her teacher at Ashwood Primary said she was doing well.", "school"),
    ("The nursery at Little Acorns Nursery School", "school"),
    ("We applied to Kingsmead College.", "school"),
    ("St Joseph's RC Primary", "school"),
    ("I got a place at Beacon Hill Academy.", "school"),
    ("She went to Saint Aidan's C of E School.", "school"),
]

NEGATIVE: list[str] = [
    "The pilot ran for six months across three localities.",
    "Budget of £120,000 over two years.",
    "We expect 40% fewer placement moves by 2027.",
    "Young people told us the hub felt like a home.",
    "The panel met on 12/03/2024 to agree the next stage.",
    "Review date: 2025-06-30.",
    "Section 3.2 of the framework asks about consent.",
    "The M25 junction near the site is busy.",
    "Meeting room B12 on floor 3.",
    "Reference 9169998291 on the invoice.",
    "Order number 4451298912 for the laptops.",
    "Contract ID 8699 458 998.",
    "We funded 1,250 hours of family support.",
    "Costs rose from £2.3m to £2.9m.",
    "Risk score 4 x 5 = 20.",
    "Year 7 and Year 8 pupils took part.",
    "The Children Act 1989 section 17 applies.",
    "Article 12 of the UNCRC: the right to be heard.",
    "Version 1.0.0 of the framework.",
    "Principle P3 is at risk for the process.",
    "Questions 1a to 1f were answered.",
    "We will miss the deadline unless we act.",
    "Mister Maker was the children's favourite show.",
    "The director of children's services agreed.",
    "Our lead practitioner will check the data.",
    "Team members from health and education joined.",
    "A social worker and a family support worker visit weekly.",
    "The Ofsted inspection in March 2023 noted progress.",
    "Born Free is a charity; we did not work with it.",
    "Birth rates in the area are falling.",
    "Placements cost £4,500 a week on average.",
    "Call the duty team through the main switchboard.",
    "Contact us through the website form.",
    "Email is not used for sensitive information.",
    "The @ sign appears in the handbook as an example.",
    "We used a five-point scale from 1 to 5.",
    "14 young people and 9 parents took part.",
    "The NHS trust agreed to share anonymised figures.",
    "Section 47 enquiries fell by 12%.",
    "The hub opened in September 2022.",
    "Staff turnover was 18.5% in 2023/24.",
    "Our target: 0 young people placed out of area.",
    "The pilot covers wards 3, 7 and 11.",
    "Data protection impact assessment done in May.",
    "See paragraph 2.4.1 for details.",
    "The A1 and the A19 run through the borough.",
    "We scored this 3 out of 5.",
    "The tool predicts risk with 0.72 accuracy.",
    "Families waited 6-8 weeks for an assessment.",
    "The grant runs 2024-2026.",
    "Caseloads dropped from 22 to 16.",
    "Each hub has 4 beds.",
    "Phase 2 begins in April.",
    "The evaluation used 1,024 anonymised records.",
    "Agreed at the meeting of 3 May 2024.",
    "Children in care council (CICC) gave views.",
    "The model version is 2.1.7.",
    "Spending code 4400-210-9987.",
    "Room 101 is the quiet room.",
    "Open 9am to 5pm on weekdays.",
    "The council's Head of Service signed off.",
    "Dr. is not a title we use in reports.",
    "Mr and Mrs are optional on forms.",
    "We referred 35 families in Q1.",
    "About 1 in 5 children live in poverty here.",
    "Line 14 of the budget shows the uplift.",
    "Rated as amber at the last review.",
    "The innovation meets the KPIs in annex B.",
    "Our website is northshire.example.gov.uk.",
    "Use the form at /appraisals/12/record/.",
    "ISO 27001 certification is due.",
    "The SEND team joined in 2023.",
    "Funding from the DfE Strengthening Families grant.",
    "A 24/7 helpline is planned.",
    "Average age of young people: 15.",
    "Two thirds said they felt listened to.",
    "Between 2019 and 2024 referrals doubled.",
    "The hub is on the 17 bus route.",
    "An ethical review took place on 4/11/2023.",
    "She joined the service on 01/09/2020.",
    "The date of the consultation was 12 June 2024.",
    "Date of decision: 15/07/2024.",
    "Invoice 0000000000 was a test.",
    "Ratio 1:3 staff to young people.",
    "The B-road near the site is quiet.",
    "Our partners include the CAMHS team.",
    "The Family Hub model from the national programme.",
    "We will report back at the 6-month point.",
    "Scores: 12, 15, 9, 22, 17.",
    "Page 3 of 10.",
    "Risks R1 to R50 are listed in the register.",
    "We used version 3 of the consent leaflet.",
    "Chapter 4 explains the method.",
    "Cost per child: £1,800.",
    "The total is 1234 567 890 in pence.",
    "Participants were aged 11 to 17.",
    "Children and families were told the outcome in writing.",
    "Approved by the accountable director.",
    "Summary written in plain English for families.",
    "The innovation has a clear exit plan.",
    "We estimate 300 families per year.",
    "Telephone support is available.",
    "Postcode data was aggregated to local authority level.",
    "Children's Services met on Monday to agree the plan.",
    "The Family Group Conference model is well evidenced.",
    "We asked the Virtual School about attendance.",
    "The Virtual School Head joined the panel.",
    "Most young people move from primary school to secondary school at eleven.",
    "Schools in the area have signed up to the Attendance Hub.",
    "The High Street hub opens on Saturdays.",
    "Parents said the Family Hub felt welcoming.",
    "The pilot runs in three secondary schools and one Academy Trust.",
    "The local Further Education College offers apprenticeships.",
    "Lived experience is at the heart of the design.",
    "Young people who live in residential care were asked first.",
    "Families living in temporary accommodation were the priority.",
    "Care leavers living independently need a key worker.",
    "We will move to a new case management system in April.",
    "The trust moved to a hub and spoke model.",
    "Social workers said the tool saved time.",
    "Early Help and Children's Social Care share one front door.",
    "The Youth Justice Service will co-produce the evaluation.",
    "Independent Reviewing Officers checked each plan.",
    "A Grace period of two weeks applies to late returns.",
    "Hope was the word young people used most.",
    "Will this change who gets a service?",
    "May's board agreed the budget.",
    "The Mark of Quality award is due in June.",
    "We asked whether they felt safe and listened to.",
    "I'm worried the new system will be harder to use.",
    "I'm not sure the app is for people like me.",
    "I am happy with my social worker now.",
    "My social worker is kind and listens.",
    "My name is on the waiting list but nobody rang.",
    "They called it the Safe Space project.",
    "The project is called Step Up.",
    "A scheme called Mockingbird links foster families.",
    "The model is known as Family Safeguarding.",
    "We spoke with Barnardo's and the NSPCC.",
    "Funding came from the Department for Education and the Life Chances Fund.",
    "The Ofsted report rated the service as good.",
    "Staff from Northshire Council and Southvale Trust attended.",
    "Partners at the Children's Society gave advice.",
    "Risks were discussed at the Corporate Parenting Board.",
    "The Edge of Care team works evenings and weekends.",
    "Meetings are held at the Town Hall.",
    "We booked the Community Centre for the launch.",
    "Ten families took part in the Parenting Programme.",
    "The Health Visiting service gave feedback.",
    "Leaving Care workers reviewed the app.",
    "The report uses 12 risk categories from the framework.",
    "Appendix 4 Road map for the next three years.",
    "Stage 2 Park and review, if the evidence is weak.",
    "After the review the board chose to proceed.",
    "Young people and carers co-produced the leaflet.",
    "Tell us what you think about the new way of working.",
    "The innovation was paused while we asked families.",
    "Children aged 5 to 11 attend the after school club.",
    "Sunday School groups were not involved.",
    "The Police and Crime Commissioner part-funded the pilot.",
    "North West regional partnership, year two.",
    "The University evaluation team will report in March.",
    "The Primary Care Network shares data monthly.",
    "Our Inclusion School Partnership meets termly.",
    "Access to the Local Offer website rose by a third.",
    "Most of the money went to agency staff costs.",
    "We used the Signs of Safety framework.",
    "Nobody from the Traveller community was asked.",
    "Victoria Station is a short walk from the hub.",
    "Staff trained at Kings College London.",
    "Sunderland Academy Trust runs four schools.",
    "The Mary Seacole Centre hosted the event.",
    "Funding of 250,000 from the Henry Smith Charity.",
    "The Oasis Academy Trust gave feedback.",
    "We used the Leeds Relational Practice model.",
    "The Stockport Family model informed the design.",
    "Amber Valley is one of the pilot districts.",
    "Our Harrow Road office will close.",
]


def _kinds(text: str) -> set[str]:
    return {f.kind for f in find_personal_data(text)}


def test_corpus_has_at_least_a_hundred_snippets_each_way() -> None:
    assert len(POSITIVE) >= 150
    assert len(NEGATIVE) >= 150
    assert len(POSITIVE) + len(NEGATIVE) >= 300
    assert {kind for _, kind in POSITIVE} == set(KINDS)


def test_precision_and_recall_on_the_corpus() -> None:
    lines = []
    missed: list[tuple[str, str]] = []
    false_alarms: list[tuple[str, set[str]]] = []
    for kind in KINDS:
        positives = [text for text, k in POSITIVE if k == kind]
        true_pos = sum(1 for text in positives if kind in _kinds(text))
        missed += [(text, kind) for text in positives if kind not in _kinds(text)]
        false_pos = sum(1 for text in NEGATIVE if kind in _kinds(text))
        false_pos += sum(1 for text, k in POSITIVE if k != kind and kind in _kinds(text))
        recall = true_pos / len(positives)
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
        lines.append(
            f"{kind:14} precision {precision:.2f}  recall {recall:.2f}  ({len(positives)} positives)"
        )
        if kind in STRUCTURED_KINDS:
            assert recall >= 0.95, (kind, [t for t, k in missed if k == kind])
    false_alarms = [(text, _kinds(text)) for text in NEGATIVE if _kinds(text)]
    flagged_right = sum(1 for text, kind in POSITIVE if kind in _kinds(text))
    overall_precision = flagged_right / (flagged_right + len(false_alarms))
    overall_recall = flagged_right / len(POSITIVE)
    lines.append(f"{'all':14} precision {overall_precision:.2f}  recall {overall_recall:.2f}")
    cued = sum(1 for text in CUED_NAMES if "name" in _kinds(text)) / len(CUED_NAMES)
    lines.append(f"{'name after cue':14} recall {cued:.2f}  ({len(CUED_NAMES)} positives)")
    print("\nPersonal-data detector on the corpus:\n" + "\n".join(lines))
    assert cued >= 0.9, [text for text in CUED_NAMES if "name" not in _kinds(text)]
    assert overall_recall >= 0.95, missed
    assert overall_precision >= 0.95, false_alarms


def test_findings_say_what_and_where() -> None:
    text = "Ring Mrs Patel on 07700 900123."
    findings = find_personal_data(text)
    assert findings == [
        Finding("name", 5, 14, "Mrs Patel", "looks like the name of a person"),
        Finding("phone", 18, 30, "07700 900123", "looks like a phone number"),
    ]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("9434765919", True), ("9434765918", False), ("1860913903", True), ("123456789", False), ("abc", False)],
)
def test_nhs_number_check_digit(digits: str, valid: bool) -> None:
    assert nhs_number_is_valid(digits) is valid


def test_nhs_number_reads_as_nhs_number_not_phone() -> None:
    assert _kinds("0186 091 3903") <= {"phone"}
    assert _kinds("186 091 3903") == {"nhs_number"}


def test_brackets_around_a_phone_number_are_not_part_of_it() -> None:
    assert [f.text for f in find_personal_data("Mrs Patel (07700 900123) asked.")] == [
        "Mrs Patel",
        "07700 900123",
    ]
    assert [f.text for f in find_personal_data("Ring (0117) 496 0765.")] == ["(0117) 496 0765"]


def test_empty_text() -> None:
    assert find_personal_data("") == []


def test_check_text_prints_the_findings_as_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from trustworthy.cli import main

    document = tmp_path / "notes.txt"
    document.write_text("Draft notes.\nMy name is Jamie Smith and I go to Oakfield Primary School.\n")
    result = CliRunner().invoke(main, ["check-text", str(document)])
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [(f["kind"], f["text"]) for f in findings] == [
        ("name", "Jamie Smith"),
        ("school", "Oakfield Primary School"),
    ]
    assert findings[0]["start"] == document.read_text().index("Jamie")

    clean = CliRunner().invoke(main, ["check-text", "-"], input="The hub opens on Monday.\n")
    assert clean.exit_code == 0
    assert json.loads(clean.output) == {"findings": []}


def test_the_first_names_come_from_the_package_list() -> None:
    names = first_names()
    assert len(names) > 2000
    assert {"Jamie", "Aisha", "Mohammed", "Olivia", "Tomasz"} <= names
    assert not names & {"Will", "Hope", "May"}  # everyday words, names only after a cue
