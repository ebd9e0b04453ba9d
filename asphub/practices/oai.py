"""The library's OAI-PMH 2.0 provider (https://www.openarchives.org/OAI/openarchivesprotocol.html).

Harvesters (national OER portals, UNESCO's aggregators) copy the library's metadata in Dublin
Core (`oai_dc`), by thematic area (sets `theme:<slug>`) and by date. Only published items are
records; archived ones are deleted records, kept for ever so that harvesters remove their copy;
drafts and items in review do not exist here (harvestable_practices decides).

Datestamps are the item's `updated_at`, to the second in UTC: every change a service saves moves
it, so a harvest "from" the last one finds every item changed since. Lists come in pages of
PAGE_SIZE records, each read in a fixed number of queries, continued with a resumption token:
the request's arguments and the last identifier sent, signed (no state kept on the server), so
items added or changed while a harvester pages through are never sent twice nor skipped for
good (an item changed meanwhile carries a datestamp after the harvest's start, so the next
incremental harvest finds it).
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Min, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from asphub.taxonomy.models import ThematicArea

from .models import PUBLISHED_STATUSES, Practice, PracticeFile, PracticeKind, PracticeStatus
from .selectors import harvestable_practices

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("oai_dc", OAI_DC_NS)
ET.register_namespace("dc", DC_NS)
ET.register_namespace("xsi", XSI_NS)

METADATA_PREFIX = "oai_dc"
PAGE_SIZE = 100
SET_PREFIX = "theme:"
# "theme" itself is the parent of every thematic area's set (a colon makes a hierarchy).
THEMES_SET = "theme"
# How long a harvester may take between two pages of one list.
TOKEN_LIFETIME = datetime.timedelta(hours=24)
TOKEN_SALT = "asphub.practices.oai.resumption"
# Identify states this; the datestamps below have exactly this precision.
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
# The repository's earliest datestamp when it holds no record yet.
EARLIEST_FALLBACK = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
# Dublin Core's type vocabulary (DCMI Type) first; the library's own kind after it.
DCMI_TYPE = "Text"
KIND_TYPES: dict[str, str] = {
    PracticeKind.GOOD_PRACTICE: "good practice example",
    PracticeKind.TEACHING_MATERIAL: "teaching material",
}

VERBS = {
    # verb: (required arguments, optional arguments); resumptionToken is exclusive where allowed.
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
}
# OAI-PMH's repositoryIdentifier (oai-identifier guidelines, section 2.1).
_DOMAIN_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# Characters XML 1.0 cannot carry at all (C0 controls but tab and newlines, lone surrogates,
# the two non-characters): a record with one would make the whole response unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OaiError(Exception):
    """One of the protocol's error conditions; `code` is the OAI-PMH error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def repository_identifier() -> str:
    """The domain name in every identifier (oai:<this>:practice/<pk>): a setting, so that
    identifiers stay the same whatever address a harvester used."""
    configured = getattr(settings, "ASPHUB_OAI_REPOSITORY_IDENTIFIER", "")
    if configured:
        return configured
    # The protocol wants a domain name: a bare IP address or "localhost" (a trial) is not one.
    host = urlsplit(settings.ASPHUB_SITE_URL).hostname or ""
    return host if _DOMAIN_NAME.fullmatch(host) else "asphub.localhost"


def oai_identifier(practice_pk: int) -> str:
    return f"oai:{repository_identifier()}:practice/{practice_pk}"


def _practice_pk(identifier: str) -> int | None:
    prefix = f"oai:{repository_identifier()}:practice/"
    if not identifier.startswith(prefix):
        return None
    number = identifier[len(prefix) :]
    # One identifier per item: "0006" is not item 6.
    if not number.isascii() or not number.isdigit() or len(number) > 18 or number[0] == "0":
        return None
    return int(number)


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _later(moment: datetime.datetime, step: datetime.timedelta) -> datetime.datetime:
    # The last day a datetime holds (9999-12-31) has no day after it: "until then" is "ever".
    try:
        return moment + step
    except OverflowError:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _parse_date(value: str, *, end_of: bool) -> tuple[datetime.datetime, str]:
    """A from/until argument as a UTC moment and its granularity; `end_of`: until is inclusive,
    so a day means up to its last second, and a second up to its end."""
    if _DAY.fullmatch(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise OaiError("badArgument", f"Not a date: {value}") from None
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        return (_later(moment, datetime.timedelta(days=1)) if end_of else moment), "day"
    if _SECONDS.fullmatch(value):
        try:
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            raise OaiError("badArgument", f"Not a date and time: {value}") from None
        return (_later(moment, datetime.timedelta(seconds=1)) if end_of else moment), "seconds"
    raise OaiError(
        "badArgument", f"Dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC), not {value}."
    )


def xml_text(value: object) -> str:
    """The text without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, text: object = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = xml_text(text)
    return element


def _oai(tag: str) -> str:
    # The protocol's own elements are written unqualified under a default namespace declared
    # on the root (ElementTree's default_namespace option refuses unqualified attributes).
    return tag


# -- what a harvest reads -------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    """The selective-harvesting arguments of a list request, kept in its resumption token."""

    verb: str
    from_: str | None = None
    until: str | None = None
    set_spec: str | None = None

    def practices(self) -> QuerySet[Practice]:
        items = harvestable_practices()
        if self.from_ is not None:
            items = items.filter(updated_at__gte=_parse_date(self.from_, end_of=False)[0])
        if self.until is not None:
            items = items.filter(updated_at__lt=_parse_date(self.until, end_of=True)[0])
        if self.set_spec == THEMES_SET:
            items = items.filter(thematic_areas__isnull=False).distinct()
        elif self.set_spec is not None:
            items = items.filter(thematic_areas__slug=self.set_spec.removeprefix(SET_PREFIX))
        return items.order_by("pk")


def _checked_list_query(verb: str, arguments: dict[str, str]) -> ListQuery:
    if arguments["metadataPrefix"] != METADATA_PREFIX:
        raise OaiError("cannotDisseminateFormat", f"Only {METADATA_PREFIX} is disseminated here.")
    from_, until = arguments.get("from"), arguments.get("until")
    granularities = set()
    if from_ is not None:
        start, granularity = _parse_date(from_, end_of=False)
        granularities.add(granularity)
    if until is not None:
        end, granularity = _parse_date(until, end_of=True)
        granularities.add(granularity)
    if len(granularities) > 1:
        raise OaiError("badArgument", "from and until must have the same granularity.")
    if from_ is not None and until is not None and start >= end:
        raise OaiError("badArgument", "from is later than until.")
    set_spec = arguments.get("set")
    if set_spec is not None and not _set_exists(set_spec):
        # A set that does not exist holds no records (the protocol has no error for it).
        raise OaiError("noRecordsMatch", f"There is no set {set_spec}.")
    return ListQuery(verb=verb, from_=from_, until=until, set_spec=set_spec)


def _set_exists(set_spec: str) -> bool:
    if set_spec == THEMES_SET:
        return True
    slug = set_spec.removeprefix(SET_PREFIX)
    return set_spec.startswith(SET_PREFIX) and ThematicArea.objects.filter(slug=slug).exists()


def _record_details(items: QuerySet[Practice], *, with_metadata: bool) -> QuerySet[Practice]:
    # Archived records are headers only, but one query for the page is cheaper than two kinds.
    items = items.prefetch_related(
        Prefetch("thematic_areas", queryset=ThematicArea.objects.only("pk", "slug", "name_lv",
                                                                       "name_en"))
    )  # fmt: skip
    if not with_metadata:
        return items.only("pk", "status", "updated_at")
    return items.select_related("school", "country").prefetch_related(
        "sdgs",
        "links",
        Prefetch(
            "files",
            queryset=PracticeFile.objects.only("pk", "practice_id", "content_type").order_by(
                "position", "id"
            ),
        ),
    )


# -- resumption tokens ------------------------------------------------------------------------


@dataclass(frozen=True)
class Resumption:
    query: ListQuery
    after_pk: int
    cursor: int
    complete_size: int


def _token(resumption: Resumption) -> str:
    query = resumption.query
    payload = {
        "v": query.verb, "f": query.from_, "u": query.until, "s": query.set_spec,
        "a": resumption.after_pk, "c": resumption.cursor, "n": resumption.complete_size,
    }  # fmt: skip
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _resumed(verb: str, token: str) -> Resumption:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
        query = ListQuery(verb=payload["v"], from_=payload["f"], until=payload["u"],
                          set_spec=payload["s"])  # fmt: skip
        resumption = Resumption(
            query=query,
            after_pk=int(payload["a"]),
            cursor=int(payload["c"]),
            complete_size=int(payload["n"]),
        )
        # Whatever the signature, the token's values must be of their kinds.
        texts = (query.verb, query.from_, query.until, query.set_spec)
        if not all(value is None or isinstance(value, str) for value in texts):
            raise TypeError("a token's dates and set are text")
        if min(resumption.after_pk, resumption.cursor, resumption.complete_size) < 0:
            raise ValueError("a token's positions are not negative")
        if query.from_:
            _parse_date(query.from_, end_of=False)
        if query.until:
            _parse_date(query.until, end_of=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OaiError):
        raise OaiError(
            "badResumptionToken", "The resumption token is invalid or expired."
        ) from None
    if query.verb != verb:
        raise OaiError("badResumptionToken", "The resumption token is for another verb.")
    return resumption


# -- the response -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where the response is read: the endpoint's address and how to make an item's address."""

    base_url: str
    absolute_url: Callable[[str], str]

    def item_url(self, practice_pk: int) -> str:
        # Always the default language's address: an identifier does not change with the page
        # language a harvester happened to ask in.
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("practices:detail", kwargs={"pk": practice_pk})
        return self.absolute_url(path)


def oai_response(params: dict[str, list[str]], *, site: Site) -> bytes:
    """The whole response to one request (`params`: each argument with all its values), as
    UTF-8 XML: the records, or the protocol's error."""
    root = ET.Element(
        _oai("OAI-PMH"),
        {"xmlns": OAI_NS, f"{{{XSI_NS}}}schemaLocation": f"{OAI_NS} {OAI_SCHEMA}"},
    )
    _add(root, _oai("responseDate"), datestamp(timezone.now()))
    request_element = _add(root, _oai("request"), site.base_url)
    try:
        verb, arguments = _checked_arguments(params)
        # The request is echoed with its arguments once they are known to be the verb's.
        for name, value in {"verb": verb, **arguments}.items():
            request_element.set(name, xml_text(value))
        answer = ET.Element(_oai(verb))
        _HANDLERS[verb](answer, arguments, site)
        root.append(answer)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            request_element.attrib.clear()
        _add(root, _oai("error"), error.message, code=error.code)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _checked_arguments(params: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    verbs = params.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    arguments: dict[str, str] = {}
    for name, values in params.items():
        if name == "verb":
            continue
        if name not in required and name not in optional:
            raise OaiError("badArgument", f"{verb} does not take the argument {name}.")
        if len(values) != 1:
            raise OaiError("badArgument", f"The argument {name} is repeated.")
        arguments[name] = values[0]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, arguments
    missing = [name for name in required if name not in arguments]
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument {missing[0]}.")
    return verb, arguments


def _identify(element: ET.Element, arguments: dict[str, str], site: Site) -> None:
    earliest = harvestable_practices().aggregate(earliest=Min("updated_at"))["earliest"]
    _add(element, _oai("repositoryName"), repository_name())
    _add(element, _oai("baseURL"), site.base_url)
    _add(element, _oai("protocolVersion"), "2.0")
    _add(element, _oai("adminEmail"), admin_email())
    _add(element, _oai("earliestDatestamp"), datestamp(earliest or EARLIEST_FALLBACK))
    _add(element, _oai("deletedRecord"), "persistent")
    _add(element, _oai("granularity"), GRANULARITY)


def repository_name() -> str:
    return getattr(settings, "ASPHUB_OAI_REPOSITORY_NAME", "") or "asphub: UNESCO ASPnet library"


def admin_email() -> str:
    return getattr(settings, "ASPHUB_OAI_ADMIN_EMAIL", "") or settings.DEFAULT_FROM_EMAIL


def _list_metadata_formats(element: ET.Element, arguments: dict[str, str], site: Site) -> None:
    if "identifier" in arguments:
        _harvestable(arguments["identifier"])
    metadata_format = _add(element, _oai("metadataFormat"))
    _add(metadata_format, _oai("metadataPrefix"), METADATA_PREFIX)
    _add(metadata_format, _oai("schema"), OAI_DC_SCHEMA)
    _add(metadata_format, _oai("metadataNamespace"), OAI_DC_NS)


def _list_sets(element: ET.Element, arguments: dict[str, str], site: Site) -> None:
    if "resumptionToken" in arguments:
        # Every set fits on one page: no token was ever given out.
        raise OaiError("badResumptionToken", "ListSets has no further pages.")
    parent = _add(element, _oai("set"))
    _add(parent, _oai("setSpec"), THEMES_SET)
    _add(parent, _oai("setName"), "Thematic areas")
    for area in ThematicArea.objects.order_by("position", "slug"):
        one = _add(element, _oai("set"))
        _add(one, _oai("setSpec"), SET_PREFIX + area.slug)
        _add(one, _oai("setName"), area.name_en or area.name_lv)
        if area.name_lv:
            description = _add(one, _oai("setDescription"))
            dc = _dc_root(description)
            _add(dc, f"{{{DC_NS}}}title", area.name_lv, **{XML_LANG: "lv"})
            if area.name_en:
                _add(dc, f"{{{DC_NS}}}title", area.name_en, **{XML_LANG: "en"})


def _harvestable(identifier: str) -> Practice:
    pk = _practice_pk(identifier)
    practice = None
    if pk is not None:
        found = harvestable_practices().filter(pk=pk)
        practice = _record_details(found, with_metadata=True).first()
    if practice is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier {identifier}.")
    return practice


def _get_record(element: ET.Element, arguments: dict[str, str], site: Site) -> None:
    if arguments["metadataPrefix"] != METADATA_PREFIX:
        # The identifier is checked first: an unknown one is the more useful answer.
        _harvestable(arguments["identifier"])
        raise OaiError("cannotDisseminateFormat", f"Only {METADATA_PREFIX} is disseminated here.")
    _record(element, _harvestable(arguments["identifier"]), site)


def _list(element: ET.Element, arguments: dict[str, str], site: Site, *, records: bool) -> None:
    verb = "ListRecords" if records else "ListIdentifiers"
    if "resumptionToken" in arguments:
        resumption = _resumed(verb, arguments["resumptionToken"])
        query = resumption.query
        items = query.practices()
    else:
        query = _checked_list_query(verb, arguments)
        items = query.practices()
        resumption = Resumption(query=query, after_pk=0, cursor=0, complete_size=items.count())
    page = list(
        _record_details(items.filter(pk__gt=resumption.after_pk), with_metadata=records)[
            : PAGE_SIZE + 1
        ]
    )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    if not page and resumption.cursor == 0:
        raise OaiError("noRecordsMatch", "No record matches these arguments.")
    for practice in page:
        if records:
            _record(element, practice, site)
        else:
            _header(element, practice)
    if more or resumption.cursor:
        _resumption_token(element, resumption, page, more)


def _resumption_token(
    element: ET.Element, resumption: Resumption, page: list[Practice], more: bool
) -> None:
    token_element = _add(
        element,
        _oai("resumptionToken"),
        completeListSize=str(resumption.complete_size),
        cursor=str(resumption.cursor),
    )
    if more:
        following = Resumption(
            query=resumption.query,
            after_pk=page[-1].pk,
            cursor=resumption.cursor + len(page),
            complete_size=resumption.complete_size,
        )
        token_element.text = _token(following)
        token_element.set("expirationDate", datestamp(timezone.now() + TOKEN_LIFETIME))
    # The last page carries an empty token: the list is complete.


def _list_identifiers(element: ET.Element, arguments: dict[str, str], site: Site) -> None:
    _list(element, arguments, site, records=False)


def _list_records(element: ET.Element, arguments: dict[str, str], site: Site) -> None:
    _list(element, arguments, site, records=True)


_HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
    "GetRecord": _get_record,
}


# -- one record -------------------------------------------------------------------------------


def _is_deleted(practice: Practice) -> bool:
    return practice.status not in PUBLISHED_STATUSES


def _header(parent: ET.Element, practice: Practice) -> None:
    header = _add(parent, _oai("header"))
    if _is_deleted(practice):
        header.set("status", "deleted")
    _add(header, _oai("identifier"), oai_identifier(practice.pk))
    _add(header, _oai("datestamp"), datestamp(practice.updated_at))
    for area in practice.thematic_areas.all():
        _add(header, _oai("setSpec"), SET_PREFIX + area.slug)


def _record(parent: ET.Element, practice: Practice, site: Site) -> None:
    record = _add(parent, _oai("record"))
    _header(record, practice)
    if practice.status == PracticeStatus.ARCHIVED:
        return
    metadata = _add(record, _oai("metadata"))
    dc = _dc_root(metadata)
    for name, value, language in dublin_core(practice, site):
        _add(dc, f"{{{DC_NS}}}{name}", value, **({XML_LANG: language} if language else {}))


def _dc_root(parent: ET.Element) -> ET.Element:
    return _add(
        parent,
        f"{{{OAI_DC_NS}}}dc",
        **{f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}"},
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def dublin_core(practice: Practice, site: Site) -> Iterable[tuple[str, str, str | None]]:
    """The item in Dublin Core: (element, value, language or None), in the order oai_dc's
    schema lists the elements."""
    own = practice.language
    yield "title", practice.title, own
    if practice.title_en and own != "en":
        yield "title", practice.title_en, "en"
    for author in _split(practice.authors):
        yield "creator", author, None
    if practice.school is not None:
        yield "creator", practice.school.name, None
    for area in practice.thematic_areas.all():
        yield "subject", area.name_en, "en"
        yield "subject", area.name_lv, "lv"
    for goal in practice.sdgs.all():
        yield "subject", f"SDG {goal.number}: {goal.name_en}", "en"
    for subject in _split(practice.subjects):
        yield "subject", subject, own
    yield "description", practice.summary, own
    if practice.summary_en and own != "en":
        yield "description", practice.summary_en, "en"
    country = practice.country
    yield "publisher", f"UNESCO ASPnet {country.name_en or country.name_lv}", "en"
    if practice.published_at is not None:
        yield "date", practice.published_at.astimezone(datetime.UTC).date().isoformat(), None
    yield "type", DCMI_TYPE, None
    yield "type", KIND_TYPES.get(practice.kind, practice.kind), "en"
    formats = dict.fromkeys(file.content_type for file in practice.files.all())
    for content_type in formats or ["text/html"]:
        yield "format", content_type, None
    yield "identifier", site.item_url(practice.pk), None
    yield "language", own, None
    for link in practice.links.all():
        yield "relation", link.url, None
    yield "rights", practice.licence_url or practice.licence, None
