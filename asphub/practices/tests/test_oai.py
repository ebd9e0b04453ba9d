"""The OAI-PMH provider: harvested with a real harvester (Sickle) through the live server, and
its XML, errors, tokens and query counts checked through the test client."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core import signing
from django.urls import reverse
from sickle import Sickle
from sickle import oaiexceptions as oai_errors

from asphub.practices import oai
from asphub.practices.models import Practice, PracticeStatus
from asphub.practices.tests.factories import (
    ArchivedPracticeFactory,
    InReviewPracticeFactory,
    PracticeFactory,
    PracticeFileFactory,
    PracticeLinkFactory,
    PublishedPracticeFactory,
    SubmittedPracticeFactory,
    SustainableDevelopmentGoalFactory,
    ThematicAreaFactory,
)

NS = {
    "oai": oai.OAI_NS,
    "oai_dc": oai.OAI_DC_NS,
    "dc": oai.DC_NS,
    "xsi": oai.XSI_NS,
}
SCHEMA_LOCATION = f"{{{oai.XSI_NS}}}schemaLocation"


def _set_datestamp(practice: Practice, moment: datetime.datetime) -> None:
    # updated_at is set by every save (auto_now): only an UPDATE chooses it.
    Practice.objects.filter(pk=practice.pk).update(updated_at=moment)
    practice.refresh_from_db()


def _get(client, **params):
    response = client.get(reverse("practices:oai"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def _error_code(root) -> str | None:
    error = root.find("oai:error", NS)
    return error.get("code") if error is not None else None


@pytest.fixture
def themes(db):
    return (
        ThematicAreaFactory(slug="peace", name_lv="Miers", name_en="Peace"),
        ThematicAreaFactory(slug="sustainability", name_lv="Ilgtspēja", name_en="Sustainability"),
    )


@pytest.fixture
def private_items(school):
    """One item in each state that must never be harvested."""
    return [
        PracticeFactory(school=school, title="Melnraksts"),
        SubmittedPracticeFactory(school=school, title="Iesniegts"),
        InReviewPracticeFactory(school=school, title="Vērtēšanā"),
        PracticeFactory(school=school, title="Jālabo", status=PracticeStatus.CHANGES_REQUESTED),
        PracticeFactory(school=school, title="Noraidīts", status=PracticeStatus.DECLINED),
    ]


# -- harvested by a real harvester -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_every_published_record_through_resumption_pages(
    live_server, school, themes, private_items, monkeypatch
):
    monkeypatch.setattr(oai, "PAGE_SIZE", 2)
    peace, _sustainability = themes
    published = [
        PublishedPracticeFactory(school=school, title=f"Prakse {n}", thematic_areas=[peace])
        for n in range(5)
    ]
    archived = ArchivedPracticeFactory(school=school, title="Arhivēta")
    harvester = Sickle(live_server.url + reverse("practices:oai"), max_retries=0)

    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))

    identifiers = [record.header.identifier for record in records]
    expected = [
        oai.oai_identifier(p.pk) for p in sorted([*published, archived], key=lambda p: p.pk)
    ]
    assert identifiers == expected  # 6 records over 3 pages, none twice, none missing
    deleted = [record for record in records if record.deleted]
    assert [record.header.identifier for record in deleted] == [oai.oai_identifier(archived.pk)]
    first = next(record for record in records if not record.deleted)
    assert first.metadata["title"] == ["Prakse 0"]
    assert first.header.setSpecs == ["theme:peace"]
    for private in private_items:
        assert oai.oai_identifier(private.pk) not in identifiers


@pytest.mark.django_db(transaction=True)
def test_sickle_lists_identifiers_by_set_and_reads_sets_and_one_record(
    live_server, school, themes, monkeypatch
):
    monkeypatch.setattr(oai, "PAGE_SIZE", 2)
    peace, sustainability = themes
    in_peace = [PublishedPracticeFactory(school=school, thematic_areas=[peace]) for _ in range(3)]
    PublishedPracticeFactory(school=school, thematic_areas=[sustainability])
    goal = SustainableDevelopmentGoalFactory(number=4, name_en="Quality education")
    item = PublishedPracticeFactory(
        school=school,
        title="Miera stunda",
        title_en="A lesson of peace",
        summary="Kopsavilkums",
        authors="Anna Bērziņa, Jānis Kalniņš",
        subjects="vēsture, sociālās zinības",
        thematic_areas=[peace],
        sdgs=[goal],
    )
    PracticeFileFactory(practice=item)
    link = PracticeLinkFactory(practice=item)
    harvester = Sickle(live_server.url + reverse("practices:oai"), max_retries=0)

    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="theme:peace"))
    sets = {one.setSpec: one.setName for one in harvester.ListSets()}
    record = harvester.GetRecord(identifier=oai.oai_identifier(item.pk), metadataPrefix="oai_dc")
    identify = harvester.Identify()
    formats = [f.metadataPrefix for f in harvester.ListMetadataFormats()]

    assert [h.identifier for h in headers] == [oai.oai_identifier(p.pk) for p in [*in_peace, item]]
    assert sets == {"theme": "Thematic areas", "theme:peace": "Peace",
                    "theme:sustainability": "Sustainability"}  # fmt: skip
    metadata = record.metadata
    assert metadata["title"] == ["Miera stunda", "A lesson of peace"]
    assert metadata["creator"] == ["Anna Bērziņa", "Jānis Kalniņš", school.name]
    assert {"Peace", "Miers", "SDG 4: Quality education", "vēsture"} <= set(metadata["subject"])
    assert metadata["description"] == ["Kopsavilkums"]
    assert metadata["identifier"] == [
        live_server.url + reverse("practices:detail", kwargs={"pk": item.pk})
    ]
    assert metadata["language"] == ["lv"]
    assert metadata["rights"] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert metadata["format"] == ["application/pdf"]
    assert metadata["relation"] == [link.url]
    assert metadata["type"][0] == "Text"
    assert metadata["date"] == [item.published_at.astimezone(datetime.UTC).date().isoformat()]
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.protocolVersion == "2.0"
    assert formats == ["oai_dc"]


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_with_post_and_gets_a_deleted_record(live_server, school):
    archived = ArchivedPracticeFactory(school=school)
    harvester = Sickle(
        live_server.url + reverse("practices:oai"), http_method="POST", max_retries=0
    )

    record = harvester.GetRecord(
        identifier=oai.oai_identifier(archived.pk), metadataPrefix="oai_dc"
    )

    assert record.deleted
    assert record.header.identifier == oai.oai_identifier(archived.pk)


@pytest.mark.django_db(transaction=True)
def test_sickle_receives_each_protocol_error(live_server, school, private_items):
    PublishedPracticeFactory(school=school)
    url = live_server.url + reverse("practices:oai")
    harvester = Sickle(url, max_retries=0)
    draft = private_items[0]

    # Sickle's methods name only real verbs: a wrong one is sent as it is and read back.
    response = harvester.harvest(verb="Harvest")
    assert response.xml.find(".//" + harvester.oai_namespace + "error").get("code") == "badVerb"
    with pytest.raises(oai_errors.BadArgument):
        harvester.ListRecords(metadataPrefix="oai_dc", colour="blue")
    with pytest.raises(oai_errors.CannotDisseminateFormat):
        harvester.ListRecords(metadataPrefix="marc21")
    with pytest.raises(oai_errors.IdDoesNotExist):
        harvester.GetRecord(identifier=oai.oai_identifier(draft.pk), metadataPrefix="oai_dc")
    with pytest.raises(oai_errors.NoRecordsMatch):
        harvester.ListRecords(metadataPrefix="oai_dc", **{"from": "2999-01-01"})
    with pytest.raises(oai_errors.BadResumptionToken):
        harvester.ListRecords(resumptionToken="not-a-token")


# -- the XML itself ---------------------------------------------------------------------------


def test_response_has_the_protocols_envelope_and_a_valid_dublin_core_record(client, school):
    item = PublishedPracticeFactory(school=school, title="<b>Virsraksts</b> & \x0bcits")

    root = _get(client, verb="GetRecord", identifier=oai.oai_identifier(item.pk),
                metadataPrefix="oai_dc")  # fmt: skip

    assert root.tag == f"{{{oai.OAI_NS}}}OAI-PMH"
    assert root.get(SCHEMA_LOCATION) == f"{oai.OAI_NS} {oai.OAI_SCHEMA}"
    assert root.find("oai:responseDate", NS).text.endswith("Z")
    request = root.find("oai:request", NS)
    assert request.get("verb") == "GetRecord"
    assert request.get("identifier") == oai.oai_identifier(item.pk)
    assert request.text == "http://testserver" + reverse("practices:oai")
    dc = root.find("oai:GetRecord/oai:record/oai:metadata/oai_dc:dc", NS)
    assert dc.get(SCHEMA_LOCATION) == f"{oai.OAI_DC_NS} {oai.OAI_DC_SCHEMA}"
    # Text stays text (escaped by the XML), and what XML cannot carry is left out.
    assert dc.find("dc:title", NS).text == "<b>Virsraksts</b> & cits"
    assert dc.find("dc:title", NS).get("{http://www.w3.org/XML/1998/namespace}lang") == "lv"
    elements = [child.tag.removeprefix(f"{{{oai.DC_NS}}}") for child in dc]
    order = ["title", "creator", "subject", "description", "publisher", "contributor", "date",
             "type", "format", "identifier", "source", "language", "relation", "coverage",
             "rights"]  # fmt: skip
    assert elements == sorted(elements, key=order.index)
    datestamp = root.find("oai:GetRecord/oai:record/oai:header/oai:datestamp", NS).text
    assert datestamp == oai.datestamp(item.updated_at)


def test_identify_declares_the_repository(client, school):
    item = PublishedPracticeFactory(school=school)
    _set_datestamp(item, datetime.datetime(2025, 3, 4, 5, 6, 7, 890, tzinfo=datetime.UTC))

    root = _get(client, verb="Identify")

    identify = root.find("oai:Identify", NS)
    assert identify.find("oai:baseURL", NS).text == "http://testserver" + reverse("practices:oai")
    assert identify.find("oai:earliestDatestamp", NS).text == "2025-03-04T05:06:07Z"
    assert identify.find("oai:deletedRecord", NS).text == "persistent"
    assert identify.find("oai:adminEmail", NS).text


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "theme"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-02-30"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01",
          "until": "2025-01-02T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-02-01",
          "until": "2025-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
         "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "oai:elsewhere:practice/1",
          "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "practice/1"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme:none"},
         "noRecordsMatch"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2000-01-01"},
         "noRecordsMatch"),
        ({"verb": "ListIdentifiers", "resumptionToken": "garbage"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "garbage"}, "badResumptionToken"),
    ],
)  # fmt: skip
def test_each_bad_request_gets_its_protocol_error(client, school, params, code):
    PublishedPracticeFactory(school=school)

    root = _get(client, **params)

    assert _error_code(root) == code
    request = root.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the request is not echoed with arguments it did not take
    assert len(root) == 3  # responseDate, request, error: nothing else


def test_a_resumption_token_for_another_verb_expired_or_forged_is_refused(
    client, school, monkeypatch
):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    for _ in range(2):
        PublishedPracticeFactory(school=school)
    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS).text
    payload = signing.loads(token, salt=oai.TOKEN_SALT)
    forged = signing.dumps({**payload, "a": 0}, salt="another salt", compress=True)

    assert _error_code(_get(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )
    assert _error_code(_get(client, verb="ListIdentifiers", resumptionToken=forged)) == (
        "badResumptionToken"
    )
    # As if the harvester came back after the token's lifetime.
    monkeypatch.setattr(oai, "TOKEN_LIFETIME", datetime.timedelta(seconds=-1))
    assert _error_code(_get(client, verb="ListIdentifiers", resumptionToken=token)) == (
        "badResumptionToken"
    )


def test_pages_carry_cursor_and_complete_list_size_and_the_last_token_is_empty(
    client, school, monkeypatch
):
    monkeypatch.setattr(oai, "PAGE_SIZE", 2)
    items = [PublishedPracticeFactory(school=school) for _ in range(3)]

    first = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find("oai:ListIdentifiers/oai:resumptionToken", NS)
    second = _get(client, verb="ListIdentifiers", resumptionToken=token.text)
    last = second.find("oai:ListIdentifiers/oai:resumptionToken", NS)

    assert token.get("cursor") == "0"
    assert token.get("completeListSize") == "3"
    assert token.get("expirationDate").endswith("Z")
    assert last.get("cursor") == "2"
    assert last.get("completeListSize") == "3"
    assert not last.text
    headers = [*first.iterfind(".//oai:header/oai:identifier", NS),
               *second.iterfind(".//oai:header/oai:identifier", NS)]  # fmt: skip
    assert [h.text for h in headers] == [oai.oai_identifier(p.pk) for p in items]


def test_a_list_on_one_page_has_no_resumption_token(client, school):
    PublishedPracticeFactory(school=school)

    root = _get(client, verb="ListRecords", metadataPrefix="oai_dc")

    assert root.find("oai:ListRecords/oai:resumptionToken", NS) is None


def test_from_and_until_select_by_datestamp_at_day_and_second_granularity(client, school):
    early, middle, late = (PublishedPracticeFactory(school=school) for _ in range(3))
    _set_datestamp(early, datetime.datetime(2025, 1, 10, 23, 59, 59, 500, tzinfo=datetime.UTC))
    _set_datestamp(middle, datetime.datetime(2025, 1, 11, 0, 0, 0, tzinfo=datetime.UTC))
    _set_datestamp(late, datetime.datetime(2025, 1, 12, 8, 30, 0, tzinfo=datetime.UTC))

    def harvested(**params) -> list[str]:
        root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return [element.text for element in root.iterfind(".//oai:header/oai:identifier", NS)]

    assert harvested(**{"from": "2025-01-11"}) == [
        oai.oai_identifier(middle.pk),
        oai.oai_identifier(late.pk),
    ]
    assert harvested(until="2025-01-10") == [oai.oai_identifier(early.pk)]
    assert harvested(until="2025-01-10T23:59:59Z") == [oai.oai_identifier(early.pk)]
    assert harvested(**{"from": "2025-01-10T23:59:59Z", "until": "2025-01-11T00:00:00Z"}) == [
        oai.oai_identifier(early.pk),
        oai.oai_identifier(middle.pk),
    ]
    assert harvested(**{"from": "2025-01-12", "until": "2025-01-12"}) == [
        oai.oai_identifier(late.pk)
    ]


def test_an_archived_item_is_a_deleted_record_with_a_later_datestamp(client, school):
    item = ArchivedPracticeFactory(school=school)

    root = _get(client, verb="ListRecords", metadataPrefix="oai_dc")

    record = root.find("oai:ListRecords/oai:record", NS)
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.find("oai:metadata", NS) is None
    assert record.find("oai:header/oai:datestamp", NS).text == oai.datestamp(item.updated_at)


def test_no_verb_shows_a_draft_submitted_or_in_review_item(client, school, themes, private_items):
    peace, _ = themes
    for private in private_items:
        private.thematic_areas.set([peace])

    for verb in ("ListRecords", "ListIdentifiers"):
        assert _error_code(_get(client, verb=verb, metadataPrefix="oai_dc")) == "noRecordsMatch"
        assert (
            _error_code(_get(client, verb=verb, metadataPrefix="oai_dc", set="theme:peace"))
            == "noRecordsMatch"
        )
    for private in private_items:
        identifier = oai.oai_identifier(private.pk)
        record = _get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        formats = _get(client, verb="ListMetadataFormats", identifier=identifier)
        assert _error_code(record) == "idDoesNotExist"
        assert _error_code(formats) == "idDoesNotExist"
    identify = _get(client, verb="Identify")
    assert identify.find(".//oai:earliestDatestamp", NS).text == oai.datestamp(
        oai.EARLIEST_FALLBACK
    )


def test_the_parent_set_holds_every_item_with_a_thematic_area(client, school, themes):
    peace, sustainability = themes
    both = PublishedPracticeFactory(school=school, thematic_areas=[peace, sustainability])
    PublishedPracticeFactory(school=school)

    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="theme")

    headers = root.findall(".//oai:header", NS)
    assert [h.find("oai:identifier", NS).text for h in headers] == [oai.oai_identifier(both.pk)]
    assert sorted(s.text for s in headers[0].findall("oai:setSpec", NS)) == [
        "theme:peace",
        "theme:sustainability",
    ]


def test_post_is_answered_like_get_without_a_csrf_token(school):
    from django.test import Client

    item = PublishedPracticeFactory(school=school)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("practices:oai"),
        {
            "verb": "GetRecord",
            "identifier": oai.oai_identifier(item.pk),
            "metadataPrefix": "oai_dc",
        },
    )

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(".//oai:header/oai:identifier", NS).text == oai.oai_identifier(item.pk)


def test_other_methods_are_refused(client):
    assert client.put(reverse("practices:oai")).status_code == 405


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_a_page_costs_the_same_queries_for_few_and_many_records(
    client, school, themes, verb, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(oai, "PAGE_SIZE", 30)
    peace, sustainability = themes
    goal = SustainableDevelopmentGoalFactory(number=13)

    def add(count: int) -> None:
        for _ in range(count):
            item = PublishedPracticeFactory(
                school=school, thematic_areas=[peace, sustainability], sdgs=[goal]
            )
            PracticeFileFactory(practice=item)
            PracticeLinkFactory(practice=item)
        ArchivedPracticeFactory(school=school, thematic_areas=[peace])

    add(2)
    with django_assert_max_num_queries(7) as few:
        _get(client, verb=verb, metadataPrefix="oai_dc")
    add(40)
    with django_assert_max_num_queries(7) as many:
        root = _get(client, verb=verb, metadataPrefix="oai_dc")
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS).text
    with django_assert_max_num_queries(7) as following:
        _get(client, verb=verb, resumptionToken=token)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(following.captured_queries) <= len(few.captured_queries)


def test_a_signed_token_with_values_of_the_wrong_kind_is_refused(client, school, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    for _ in range(2):
        PublishedPracticeFactory(school=school)
    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS).text
    payload = signing.loads(token, salt=oai.TOKEN_SALT)

    for changed in ({"u": 5}, {"u": "9999-99-99"}, {"n": -3}, {"s": ["theme:x"]}):
        odd = signing.dumps({**payload, **changed}, salt=oai.TOKEN_SALT, compress=True)
        assert _error_code(_get(client, verb="ListIdentifiers", resumptionToken=odd)) == (
            "badResumptionToken"
        ), changed


def test_the_last_day_there_is_and_an_identifier_with_leading_zeros(client, school):
    published = PublishedPracticeFactory(school=school)
    identifier = oai.oai_identifier(published.pk)
    padded = identifier.replace(f"/{published.pk}", f"/000{published.pk}")

    until_the_end = _get(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="9999-12-31"
    )
    padded_record = _get(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=padded)

    assert _error_code(until_the_end) is None
    assert _error_code(padded_record) == "idDoesNotExist"
