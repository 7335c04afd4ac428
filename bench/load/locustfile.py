"""Load test of Akta (issue 10, item 8): caseworkers and a few managers at work.

Run by bench/bench_load.py (the full run, `make load`) and by the CI smoke
(src/akta/tests/test_load_smoke.py); both start the server on 127.0.0.1 and pass:

  AKTA_LOAD_ACCOUNTS  JSON file: {"caseworkers": [[username, password], ...], "managers": [...]}
  AKTA_LOAD_OUT       where to write every request (JSON lines) and, at the end, a summary
                      (AKTA_LOAD_OUT + ".summary.json": task counts, errors, conflicts)
  AKTA_LOAD_MANAGERS  how many of the users are managers (default 3; they are spawned first)
  AKTA_LOAD_WAIT      think time between a user's actions, "MIN,MAX" seconds (default "2,10")
  AKTA_LOAD_MAX_REQUESTS  stop the run after this many requests (default: no limit but --run-time)

What a user does, after signing in with a password (the login page's CSRF token, once; a
refused password stops that user at once, so django-axes never locks an account):

  caseworker, per action (weights): the case list of the unit (20; a third of them the open
  cases, some the next page), a search `/?q=` by personnummer, name or case id (15), a
  personakt (30), the unit worklist `/bevakningar/enhet/` (10), and registering an event
  through the web form (5: GET the form, POST it with the version it showed). Reads ≫ writes.
  manager: the case list of every unit (20), a search (10), a personakt (20), the worklist (10).

Think time: 2–10 s between a user's actions by default, a page every 6 s or so per user, busier
than a caseworker who reads the file and writes between clicks; 1–5 s is the stress variant.

Counting: every request is an error unless it answers the expected status (200 for a page,
302 for a login or a saved form) with the expected content; a 409 from a form is the
optimistic lock refusing a stale version, counted apart as a conflict, not an error.
"""
import itertools
import json
import os
import random
import re
import time
from datetime import date
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

WAIT_MIN, WAIT_MAX = (float(x) for x in os.environ.get("AKTA_LOAD_WAIT", "2,10").split(","))
MAX_REQUESTS = int(os.environ.get("AKTA_LOAD_MAX_REQUESTS", "0") or 0)
OUT = os.environ.get("AKTA_LOAD_OUT", "")

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK_RE = re.compile(r'href="/arende/([^/"]+)/"')
NEXT_RE = re.compile(r'href="\?(?:[^"]*&amp;)?efter=([0-9-]+\.[0-9]+)"')
VERSION_RE = re.compile(r'name="version" value="(-?\d+)"')
# A row of the case list: the case link, then the person's label "Name, 19xxxxxx-xxxx".
ROW_RE = re.compile(r'<a href="/arende/([^/"]+)/">[^<]*</a></th>\s*<td>([^<]*)</td>')
PNR_RE = re.compile(r"\b(\d{8}-\d{4})\b")

# Event types a caseworker registers from the form in any open case (valid whatever the
# case's state: they refer to an aktualisering, which every case has, or to nothing).
WRITE_TYPES = ["skyddsbedomning", "forhandsbedomning", "utredning_inledd"]


def _accounts():
    path = os.environ.get("AKTA_LOAD_ACCOUNTS")
    if not path:
        raise SystemExit("AKTA_LOAD_ACCOUNTS is not set (bench/bench_load.py sets it)")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return itertools.cycle(data["caseworkers"]), itertools.cycle(data["managers"] or data["caseworkers"])


_caseworkers = _managers = _env = None
_records = []
_tasks = {}
_totals = {"requests": 0, "errors": 0, "conflicts": 0}
_t0 = time.time()


@events.init.add_listener
def _init(environment, **kw):
    global _caseworkers, _managers, _env
    _env = environment
    host = environment.host or ""
    if urlsplit(host).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"refusing to load {host!r}: only a server on 127.0.0.1")
    _caseworkers, _managers = _accounts()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, start_time=None,
            **kw):
    status = getattr(response, "status_code", 0) or 0
    outcome = "error" if exception else ("conflict" if status == 409 else "ok")
    _totals["requests"] += 1
    if outcome == "error":
        _totals["errors"] += 1
    elif outcome == "conflict":
        _totals["conflicts"] += 1
    _records.append((round((start_time or time.time()) - _t0, 3), f"{request_type} {name}", round(response_time, 2),
                     status, outcome, str(exception)[:200] if exception else ""))
    if MAX_REQUESTS and _totals["requests"] == MAX_REQUESTS and _env is not None and _env.runner is not None:
        import gevent

        gevent.spawn(_env.runner.quit)  # bounded in requests as well as in time


@events.quitting.add_listener
def _write(environment, **kw):
    if not OUT:
        return
    with open(OUT, "w", encoding="utf-8") as f:
        for r in _records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(OUT + ".summary.json", "w", encoding="utf-8") as f:
        json.dump({**_totals, "tasks": _tasks}, f, ensure_ascii=False, indent=1)


def _count(task_name):
    _tasks[task_name] = _tasks.get(task_name, 0) + 1


class Staff(FastHttpUser):
    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)
    accounts = None

    def on_start(self):
        self.username, password = next(self.account_source())
        self.case_ids, self.open_case_ids, self.pnrs, self.names = [], [], [], []
        with self.client.get("/logga-in/", name="/logga-in/", catch_response=True) as r:
            m = CSRF_RE.search(r.text or "")
            if r.status_code != 200 or not m:
                r.failure(f"login page: {r.status_code}, no CSRF token")
                raise StopUser()
            token = m.group(1)
        with self.client.post("/logga-in/", name="/logga-in/ POST", allow_redirects=False, catch_response=True,
                              data={"username": self.username, "password": password, "csrfmiddlewaretoken": token,
                                    "next": "/"}) as r:
            if r.status_code != 302:
                # Never try again: a second wrong password would count towards the lockout.
                r.failure(f"login of {self.username} refused ({r.status_code})")
                raise StopUser()
        _count("login")
        self._case_list(first=True)

    def account_source(self):
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------------------

    def _page(self, path, name, expect="</html>"):
        """GET a page; anything but a 200 with the expected text (a redirect to the login page,
        a 404, a 5xx) is an error. Returns the text or None."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            text = r.text or ""
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return None
            if expect and expect not in text:
                r.failure(f"200 without {expect!r}")
                return None
            return text

    def _remember_rows(self, text, open_only=False):
        rows = ROW_RE.findall(text)
        for ext_id, label in rows:
            if ext_id not in self.case_ids:
                self.case_ids.append(ext_id)
            if open_only and ext_id not in self.open_case_ids:
                self.open_case_ids.append(ext_id)
            m = PNR_RE.search(label)
            if m and m.group(1) not in self.pnrs:
                self.pnrs.append(m.group(1))
            name = label.split(",")[0].strip()
            if name and name != "Skyddad identitet":
                last = name.split()[-1]
                if last not in self.names:
                    self.names.append(last)
        for lst in (self.case_ids, self.open_case_ids, self.pnrs, self.names):
            del lst[:-200]  # keep the most recent

    def _case_list(self, first=False):
        r = random.random()
        if first or r < 0.4:
            text = self._page("/", "/ (ärendelista)", expect="ärende")
            open_only = False
        else:
            text = self._page("/?status=oppet", "/?status=oppet (öppna ärenden)", expect="ärende")
            open_only = True
        if text is None:
            return
        self._remember_rows(text, open_only=open_only)
        m = NEXT_RE.search(text)
        if m and random.random() < 0.25:
            query = "status=oppet&" if open_only else ""
            more = self._page(f"/?{query}efter={m.group(1)}", "/?efter= (nästa sida)", expect="ärende")
            if more:
                self._remember_rows(more, open_only=open_only)

    # -- what the users do ---------------------------------------------------------------------

    def case_list(self):
        _count("case_list")
        self._case_list()

    def search(self):
        _count("search")
        r = random.random()
        if self.pnrs and r < 0.6:
            q = random.choice(self.pnrs)
        elif self.names and r < 0.9:
            q = random.choice(self.names)
        elif self.case_ids:
            q = random.choice(self.case_ids)
        else:
            q = "Andersson"
        text = self._page(f"/?q={q}", "/?q= (sök)", expect="ärende")
        if text:
            self._remember_rows(text)

    def personakt(self):
        _count("personakt")
        if not self.case_ids:
            return self._case_list()
        ext_id = random.choice(self.case_ids)
        self._page(f"/arende/{ext_id}/", "/arende/[id]/ (personakt)", expect=ext_id)

    def worklist(self):
        _count("worklist")
        self._page("/bevakningar/enhet/", "/bevakningar/enhet/", expect="Bevakningar")

    def write_event(self):
        _count("write_event")
        if not self.open_case_ids:
            return self._case_list()
        ext_id = random.choice(self.open_case_ids)
        etype = random.choice(WRITE_TYPES)
        url = f"/arende/{ext_id}/handelse/{etype}/"
        form = self._page(url, "/arende/[id]/handelse/[typ]/ (formulär)", expect='name="version"')
        if form is None:
            return
        token, version = CSRF_RE.search(form), VERSION_RE.search(form)
        akt = re.search(r'<select name="aktualisering_id"[^>]*>(.*?)</select>', form, re.S)
        options = re.findall(r'<option value="([^"]+)"', akt.group(1)) if akt else []
        if not token or not version or (etype != "utredning_inledd" and not options):
            return
        data = {"csrfmiddlewaretoken": token.group(1), "version": version.group(1), "date": date.today().isoformat()}
        if options:
            data["aktualisering_id"] = options[-1]
        if etype == "forhandsbedomning":
            data["outcome"] = random.choice(["inleda_utredning", "inte_inleda_utredning"])
        with self.client.post(url, data=data, name="/arende/[id]/handelse/[typ]/ POST", allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code == 302:
                r.success()
            elif r.status_code == 409:
                r.success()  # the optimistic lock: someone wrote in the case since the form was read
                return
            else:
                r.failure(f"{r.status_code}")
                return
        self._page(f"/arende/{ext_id}/", "/arende/[id]/ (personakt)", expect=ext_id)


class Caseworker(Staff):
    """Handläggare in one unit."""

    weight = 1

    def account_source(self):
        return _caseworkers

    tasks = {Staff.case_list: 20, Staff.search: 15, Staff.personakt: 30, Staff.worklist: 10, Staff.write_event: 5}


class Manager(Staff):
    """Enhetschef of every unit: reads, no writes in this mix."""

    fixed_count = int(os.environ.get("AKTA_LOAD_MANAGERS", "3"))
    abstract = fixed_count == 0

    def account_source(self):
        return _managers

    tasks = {Staff.case_list: 20, Staff.search: 10, Staff.personakt: 20, Staff.worklist: 10}
