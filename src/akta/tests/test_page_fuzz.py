"""The page fuzzer (issue 10, build item 5): no request to any URL of Akta may produce a 5xx.

Every URL pattern of the project is found by walking ``get_resolver()``, so a new view is
covered without touching this file. Path converters get real values (collected by crawling the
links of the pages as several roles, over the imported test exchange plus a year of demo quality
records) and junk (0, huge numbers, unknown slugs and formats). Each pattern is then sent
hypothesis-generated GET query strings and, where it accepts POST, form bodies: huge, negative
and non-numeric numbers, far dates (0001-01-01, 9999-12-31), lone surrogates as percent-encoded
invalid UTF-8, deep and long values, repeated keys and empty values. The parameter names are the
ones the views really read (every QueryDict lookup is recorded while the pages are crawled) and
the fields of the forms the pages show; POST bodies start from a form's real values and spoil
some of them, so the deep paths (validation, state changes, document rendering) are reached.

The roles are drawn per request: anonymous, handläggare, enhetschef with the right to see
protected identities, nämndsekreterare, kvalitetsutvecklare, systemförvaltare and registrator.
Each request runs in a savepoint that is rolled back, so every finding is reproducible from the
one request printed. The run is derandomized (CI is reproducible); raise the examples for a
longer hunt: ``AKTA_PAGE_FUZZ_EXAMPLES=200 pytest src/akta/tests/test_page_fuzz.py``.
"""
import html.parser
import itertools
import logging
import os
import re
import time
import traceback
import urllib.parse
from collections import defaultdict

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("AKTA_PAGE_FUZZ_EXAMPLES", "16"))
# CI is derandomized (the same requests every run); a seed sends other ones: AKTA_PAGE_FUZZ_SEED=7
SEED = os.environ.get("AKTA_PAGE_FUZZ_SEED")
CRAWL_LIMIT = 220  # pages × roles fetched while collecting real path values and forms
CRAWL_ROLES = ("enhetschef", "kvalitetsutvecklare", "namndsekreterare", "systemforvaltare", "handlaggare")


# --- the URL patterns ----------------------------------------------------------------------


def url_patterns(resolver=None, ns=(), prefix=""):
    """(route, reverse name or None, names of the path's groups) for every pattern, recursively."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        # joined as Django joins ResolverMatch.route (a regex's leading ^ dropped after a prefix)
        route = prefix + (str(p.pattern)[1:] if prefix and str(p.pattern).startswith("^") else str(p.pattern))
        if isinstance(p, URLResolver):
            yield from url_patterns(p, ns + ((p.namespace,) if p.namespace else ()), route)
        elif isinstance(p, URLPattern):
            groups = tuple(p.pattern.regex.groupindex)
            name = ":".join(ns + (p.name,)) if p.name else None
            yield route, name, groups


def route_of(path):
    """The route string of the pattern a path resolves to (None when it resolves to none)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


# Junk for the path's groups; real values come from the crawl. A group is only as junk as its
# converter lets through (``<int:pk>`` takes 99999999999999999999 but not "abc").
JUNK_PATH = ["0", "1", "999999", "2147483648", "99999999999999999999", "-1", "abc", "x" * 300,
             "Q", "9999", "0000", "9999Q4", "0000Q1", "pdf", "docx", "xlsx", "csv", "json", "html", "exe",
             "é", ".."]


def build(name, kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


# --- the values ------------------------------------------------------------------------------

NUMBERS = ["99999999999", "-99999999", "9" * 40, "-1", "0", "2147483648", "-2147483649", "1e9", "1.5",
           "NaN", "inf", "-0", "0x10", "١٢", "1_000", " 1", "+1"]
DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "2025-02-30", "2025-13-01", "31/12/2025", "1899-12-31",
         "2201-01-01", "2025-1-1", "20250101", "9999Q4", "0000Q1", "2025Q5", "2025", "99999"]
WORDS = ["", " ", "abc", "true", "false", "null", "None", "[]", "{}", "[1]", "=HYPERLINK(\"x\")", "<b>x</b>",
         "'; --", "%", "\x00", "\ud800", "\udfff", "\ufffd", "\u202e", "a\r\nb", "../../etc/passwd", "é" * 3]
JUNK = st.one_of(
    st.sampled_from(NUMBERS + DATES + WORDS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=200, max_value=6000).map(lambda n: "9" * n),
    st.integers(min_value=200, max_value=6000).map(lambda n: "å" * n),
    st.integers(min_value=50, max_value=3000).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=50, max_value=3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.text(max_size=30),
    st.text(st.characters(codec=None, categories=("Cs", "Co", "Cc", "Zs", "Nd", "Lo")), max_size=10),
)


def encode(pairs):
    """key=value pairs as an urlencoded text; a lone surrogate goes over as invalid UTF-8."""
    def q(s):
        return urllib.parse.quote_from_bytes(s.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{q(k)}={q(v)}" for k, v in pairs)


# --- what the pages read and show --------------------------------------------------------------

_accessed = None  # the set the QueryDict lookups are recorded in, while recording


@pytest.fixture
def record_lookups(monkeypatch):
    """Every key a view looks up in request.GET / request.POST (a form's fields included)."""
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def spy(self, key, *args, _original=original, **kwargs):
            if _accessed is not None and isinstance(key, str):
                _accessed.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, spy)


class PageParser(html.parser.HTMLParser):
    """The links and the forms (method, action, fields with their values) of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": defaultdict(list)}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            name = a["name"]
            if tag == "select":
                self._select = name
                self._form["fields"].setdefault(name, [])
            elif a.get("type") not in ("submit", "button", "image", "file") or tag == "button":
                self._form["fields"][name].append(a.get("value") or "")
            elif a.get("value"):
                self._form["fields"][name].append(a["value"])
        elif tag == "option" and self._form is not None and self._select:
            self._form["fields"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


class Site:
    """The patterns with their real path values, the keys their views read and their forms."""

    def __init__(self):
        self.patterns = {route: (name, groups) for route, name, groups in url_patterns()}
        self.paths = defaultdict(set)  # route -> concrete paths
        self.keys = defaultdict(set)  # route -> query/form keys the view reads or links carry
        self.values = defaultdict(lambda: defaultdict(set))  # route -> key -> real values
        self.forms = defaultdict(list)  # route -> [{key: [values]}] of POST forms aiming there
        self.posts = set()  # routes that accept POST

    def group_values(self, group):
        """Real values of a path group: what the crawl saw under that name, and the ids of cases
        and persons (the API's ``id``)."""
        from akta.cases.models import Case, Person

        seen = sorted({str(resolve(p).kwargs[group]) for paths in self.paths.values() for p in paths
                       if group in resolve(p).kwargs})
        extra = {"id": ["C1", "C4", "P4", "P1"], "format": ["json", "api"]}.get(group, [])
        if group == "id":
            extra += list(Case.objects.values_list("ext_id", flat=True)[:2]) + list(Person.objects.values_list("ext_id", flat=True)[:2])
        return list(dict.fromkeys(seen[:4] + extra)) or ["1"]

    def add_path(self, path):
        route = route_of(path)
        if route in self.patterns and len(self.paths[route]) < 6:
            self.paths[route].add(path)
        return route


def run(client, method, path, query="", body=None, content_type="application/x-www-form-urlencoded"):
    """One request in a savepoint that is rolled back; (status, response or traceback)."""
    url = path + ("?" + query if query else "")
    cookies = {k: m.value for k, m in client.cookies.items()}
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data=body or b"", content_type=content_type)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            result = response.status_code, response
        except Exception:  # a view's exception is the 500 the user would get
            result = 500, traceback.format_exc()
        transaction.set_rollback(True)
    # The session stays as it was (a POST to /logga-ut/ must not log the next request out).
    client.cookies.clear()
    for k, v in cookies.items():
        client.cookies[k] = v
    return result


# --- the test data and the roles ---------------------------------------------------------------


@pytest.fixture
def clients(imported, make_user, settings):
    """A logged-in client per role (anonymous too), over the test exchange and demo quality records."""
    from akta.access.models import Role, Unit
    from akta.cases.models import Case
    from akta.quality.demo import create_demo_records

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    for name in ("django.request", "django.security", "django.security.DisallowedRedirect"):  # thousands of expected 4xx warnings
        logging.getLogger(name).disabled = True
    everything = list(Unit.objects.values_list("code", flat=True))
    users = {
        "handlaggare": make_user("anna", units=["barn_och_unga"]),
        "enhetschef": make_user("cecilia", role=Role.ENHETSCHEF, units=everything, may_view_protected=True),
        "kvalitetsutvecklare": make_user("david", role=Role.KVALITETSUTVECKLARE),
        "systemforvaltare": make_user("eva", role=Role.SYSTEMFORVALTARE),
        "registrator": make_user("fredrik", role=Role.REGISTRATOR),
        "namndsekreterare": make_user("gun", role=Role.NAMNDSEKRETERARE),
    }
    Case.objects.filter(area="barn_och_unga").update(caseworker=users["handlaggare"])
    create_demo_records(2025)
    result = {"anonym": Client(enforce_csrf_checks=False)}
    for role, user in users.items():
        c = Client(enforce_csrf_checks=False)
        c.force_login(user)
        result[role] = c
    return result


def crawl(clients):
    """Fetch the pages without path values, follow their links and record the forms and keys."""
    global _accessed
    site = Site()
    for route, (name, groups) in site.patterns.items():
        if not groups and name:
            site.add_path(reverse(name))
    queue = [(p, role) for paths in list(site.paths.values()) for p in paths for role in CRAWL_ROLES]
    seen, visits = set(), defaultdict(int)
    while queue and len(seen) < CRAWL_LIMIT:
        path, role = queue.pop(0)
        if (path, role) in seen:
            continue
        seen.add((path, role))
        route = route_of(path)
        visits[route] += 1
        _accessed = site.keys[route]
        status, response = run(clients[role], "GET", path)
        if visits[route] <= 2:
            post_status, _ = run(clients[role], "POST", path)
            if post_status != 405:
                site.posts.add(route)
        _accessed = None
        if status != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        for href in parser.links:
            u = urllib.parse.urlsplit(urllib.parse.urljoin(path, href))
            if u.netloc or not u.path.startswith("/"):
                continue
            target = site.add_path(u.path)
            if target is None:
                continue
            for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True):
                site.keys[target].add(k)
                site.values[target][k].add(v)
            if visits[target] < 3 and not re.search(r"\.(pdf|docx|xlsx|csv|json)$", u.path):
                queue.append((u.path, role))
        for form in parser.forms:
            target_path = urllib.parse.urlsplit(urllib.parse.urljoin(path, form["action"] or path)).path
            target = site.add_path(target_path)
            if target is None:
                continue
            for k, vs in form["fields"].items():
                site.keys[target].add(k)
                site.values[target][k].update(vs)
            if form["method"] == "post" and len(site.forms[target]) < 8:
                site.forms[target].append(dict(form["fields"]))
    return site


def concrete_paths(site, route):
    """(real paths, junk paths) of a route: the crawled ones (or, for a route no page links to, its
    groups filled with the real values the same groups take elsewhere), and those with one group
    replaced by junk where the converter lets it through."""
    name, groups = site.patterns[route]
    real = set(site.paths.get(route, ()))
    if name and groups and not real:
        for values in itertools.islice(itertools.product(*(site.group_values(g) for g in groups)), 40):
            p = build(name, dict(zip(groups, values)))
            if p and route_of(p) == route and len(real) < 4:
                real.add(p)
    junk = set()
    if name and groups:
        kwargs_seen = [resolve(p).kwargs for p in sorted(real)]
        base = kwargs_seen[0] if kwargs_seen else {}
        for g in groups:
            for value in JUNK_PATH:
                kwargs = {k: str(v) for k, v in base.items()} | {g: value}
                for k in groups:
                    kwargs.setdefault(k, "1")
                p = build(name, kwargs)
                if p and route_of(p) == route and p not in real:
                    junk.add(p)
    return sorted(real), sorted(junk)


# --- the fuzzer ---------------------------------------------------------------------------------

GENERIC_KEYS = ["id", "pk", "version", "page", "q", "format", "efter", "fore", "ar", "kvartal", "unit"]


def fuzz_route(site, clients, route, findings, examples):
    real, junk = concrete_paths(site, route)
    paths = real + junk
    if not paths:
        return 0
    # half the requests on real paths (the deep code), half on junk ones (the 404s and 400s)
    path = st.one_of(*[st.sampled_from(ps) for ps in (real, junk) if ps])
    keys = sorted(site.keys.get(route, ())) + GENERIC_KEYS
    real_values = {k: sorted(v) for k, v in site.values.get(route, {}).items() if v}
    forms = site.forms.get(route) or [{}]
    if route not in site.posts and run(clients["enhetschef"], "POST", (real or junk)[0])[0] != 405:
        site.posts.add(route)  # not crawled (built from the values of other pages)
    methods = ["GET", "POST"] if route in site.posts else ["GET"]
    roles = sorted(clients)

    def value_for(key):
        if real_values.get(key):
            return st.one_of(JUNK, st.sampled_from(real_values[key]))
        return JUNK

    @st.composite
    def query_pairs(draw):
        n = draw(st.integers(0, 6))
        pairs = []
        for _ in range(n):
            key = draw(st.one_of(st.sampled_from(keys), st.sampled_from(keys), st.text(max_size=8)))
            pairs.append((key, draw(value_for(key))))
            while draw(st.booleans()) and len(pairs) < 10:  # a repeated key
                pairs.append((key, draw(value_for(key))))
        return pairs

    @st.composite
    def form_pairs(draw):
        """A real form of the page with some of its fields spoiled, dropped or repeated."""
        form = draw(st.sampled_from(forms))
        pairs = []
        for key, values in sorted(form.items()):
            action = draw(st.sampled_from(["keep", "keep", "junk", "drop", "twice"]))
            real = draw(st.sampled_from(values)) if values else ""
            if action == "keep":
                pairs.append((key, real))
            elif action == "junk":
                pairs.append((key, draw(value_for(key))))
            elif action == "twice":
                pairs += [(key, real), (key, draw(value_for(key)))]
        return pairs + draw(query_pairs())

    request = st.one_of(
        st.tuples(st.just("GET"), st.sampled_from(roles), path, query_pairs(), st.just(None)),
        *([st.tuples(st.just("POST"), st.sampled_from(roles), path, st.just([]),
                     st.one_of(form_pairs(), form_pairs(), query_pairs(), JUNK.map(lambda s: [("", s)])))]
          if "POST" in methods else []),
    )

    @seed(int(SEED or 0))
    @settings(max_examples=examples, deadline=None, derandomize=SEED is None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(request)
    def fuzz(req):
        method, role, path, query, body = req
        client = clients[role]
        qs = encode(query)
        if body is not None and body[:1] and body[0][0] == "":
            raw, ctype = body[0][1].encode("utf-8", "surrogatepass"), draw_ctype(body[0][1])
        else:
            raw, ctype = encode(body or []).encode("ascii"), "application/x-www-form-urlencoded"
        status, detail = run(client, method, path, qs, raw, ctype)
        if status >= 500:
            shown = f"{method} {path}" + (f"?{qs}" if qs else "") + (f"  body={raw[:300]!r}" if method == "POST" else "")
            tb = detail if isinstance(detail, str) else f"status {status}"
            findings[route].append(f"as {role}: {shown}\n{tb.strip().splitlines()[-1]}")

    fuzz()
    return len(paths)


def draw_ctype(raw):
    return "application/json" if raw[:1] in "[{" else "application/x-www-form-urlencoded"


def test_no_page_answers_5xx(clients, record_lookups):
    started = time.monotonic()
    site = crawl(clients)
    if os.environ.get("AKTA_PAGE_FUZZ_VERBOSE"):
        for r in sorted(site.patterns):
            print(r, concrete_paths(site, r)[0][:4], sorted(site.keys.get(r, ())), len(site.forms.get(r, ())), r in site.posts)
    crawled = time.monotonic()
    findings = defaultdict(list)
    for route in sorted(site.patterns):
        fuzz_route(site, clients, route, findings, EXAMPLES)
    unreached = [r for r in site.patterns if not any(concrete_paths(site, r))]
    report = "\n\n".join(f"{route}: {len(found)} × 5xx, e.g.\n  " + "\n  ".join(dict.fromkeys(found[:3]))
                         for route, found in sorted(findings.items()))
    print(f"page fuzzer: {len(site.patterns)} patterns, {len(site.posts)} accept POST, "
          f"crawl {crawled - started:.0f} s, fuzz {time.monotonic() - crawled:.0f} s; not reached: {unreached}")
    assert not findings, report
    # A pattern no path can be built for is not fuzzed: only patterns without a name may be so.
    assert all(site.patterns[r][0] is None for r in unreached), unreached
