"""A model of the bookmark API's contract, and a check that compares an app with it.

The model is what the step pages promise in their box "What the checks expect":
the bookmarks in the order they were created, each with the fields it was last
sent, and ids that the server picks and never hands out twice. A Hypothesis
state machine sends the app a series of requests (create, read, list, replace,
patch, delete; good and bad bodies; ids that exist, were deleted or never
existed), compares every answer with the model, and after every change compares
GET /bookmarks with it too. The series are the same on every run
(derandomize=True). The model starts from whatever GET /bookmarks lists, so one
app serves every series without a restart; each series starts by creating two
bookmarks of its own (and, where DELETE exists, deletes them at its end).

When an answer differs, Hypothesis looks for the shortest series that still
fails (for SHRINK_SECONDS at most), and the test reports it in plain words,
GET requests left out (they change nothing), for example:

    after GET /bookmarks (2 bookmarks), POST A (id 3), POST B (id 4),
    DELETE /bookmarks/4: POST A answered the id 4, which a deleted bookmark had: ...

Exact statuses (201 for POST, 404 for an unknown id, ...) and error bodies have
tests of their own. Here a success is any 2xx and a refusal any 4xx, so that a
wrong status fails the one test about it, not this one as well.
"""

import json
from time import perf_counter

from hypothesis import HealthCheck, Verbosity, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

# The operations each suite lets the machine use: the routes its step adds, and the
# earlier steps' (a parameter of the suite, so the folder's name plays no part).
CREATE, READ, LIST, REPLACE, PATCH, DELETE = "create", "read", "list", "replace", "patch", "delete"
STEP_OPERATIONS = {
    "04": {CREATE, READ, LIST},
    "05": {CREATE, READ, LIST, REPLACE, PATCH},
    "06": {CREATE, READ, LIST, REPLACE, PATCH, DELETE},
}

FIELDS = ("id", "url", "title", "description")

# Bodies the API must accept, named so that a failure can say "POST A".
GOOD = {
    "A": {"url": "https://example.com/a", "title": "Bookmark A", "description": "About A."},
    "B": {"url": "https://example.org/b", "title": "Bookmark B"},  # no description: ""
    "C": {"url": "http://example.net/c?page=2", "title": "Bookmark C", "description": ""},
}
# Bodies POST and PUT must refuse (the same rules as the page's box).
BAD = [
    {"url": "https://example.com/x"},  # no title
    {"title": "No url"},
    {"url": "https://example.com/x", "title": "   "},
    {"url": "https://example.com/x", "title": None},
    {"url": "javascript:alert(1)", "title": "Script"},
    {"url": "https://example.com/x", "title": "t" * 10_000},
    {"url": "https://example.com/x", "title": "Long", "description": "d" * 100_000},
]
# PATCH bodies to accept, and to refuse.
CHANGES = [
    {"title": "Renamed"},
    {"description": "Described again."},
    {"url": "https://example.com/moved"},
    {},
    {"description": ""},
    {"url": "https://example.com/both", "title": "Both changed"},
]
BAD_CHANGES = [
    {"title": None},
    {"url": None},
    {"title": ""},
    {"title": "   "},
    {"url": "javascript:alert(1)"},
    {"title": "t" * 10_000},
    {"description": "d" * 100_000},
]
# The one PATCH with two right answers: refused, or the description emptied.
EMPTY_BY_NULL = {"description": None}

# Which id a request aims at: one that exists, one deleted in this series, one never used.
# Mostly the first: most bugs show on bookmarks that exist.
AIMS = st.sampled_from(["existing", "existing", "existing", "deleted", "unknown"])
PICKS = st.integers(min_value=0, max_value=4)

# Six series of at most 15 requests (each change followed by a GET /bookmarks): about 180
# requests. Every mistake of the catalogue (scripts/self_check.py) fails its suite with a
# single series of one request, other checks catching it too; the series are the net for
# the mistakes nobody listed. Ten series of 20 took twice as long, a fifth of step 04's suite.
SETTINGS = settings(
    max_examples=6,
    stateful_step_count=15,
    derandomize=True,  # the same series on every run: a check never fails by chance
    database=None,  # nothing remembered between runs (no .hypothesis folder)
    deadline=None,
    report_multiple_bugs=False,  # one failure, the simplest, not a group of them
    suppress_health_check=list(HealthCheck),
    verbosity=Verbosity.quiet,  # the AssertionError tells the story in words
)


# Once a series fails, Hypothesis sends shorter ones to find the shortest that still
# fails. The app keeps every bookmark those create, and gets slower: stop after this long.
SHRINK_SECONDS = 3.0


def check_against_model(client, operations, others=(), series: int | None = None) -> None:
    """Run the series of requests against the app behind `client`, using only
    `operations` (a set of CREATE, READ, ...: what the step under test has).

    `others`: ids of bookmarks that exist but are not the client's (step 17: another
    user's). They must answer as ids that never existed (404) and never be listed;
    the series aims at them where it would aim at an unknown id, every other time.
    `series`: how many series to send (default: SETTINGS' max_examples); fewer for an
    app on a database, whose every change is a commit."""
    __tracebackhide__ = True  # pytest shows the failure in words, not this function
    failures = []  # every failure the machine raised, in words, with when it happened
    others = list(others)
    try:
        chosen = SETTINGS if series is None else settings(SETTINGS, max_examples=series)
        run_state_machine_as_test(lambda: BookmarkApi(client, operations, failures, others), settings=chosen)
    except Flaky:
        # The app keeps its bookmarks from one series to the next, so a series sent
        # again may fail elsewhere, or not at all. The failure seen is still real:
        # report the last one in words.
        if not failures:
            raise
        raise AssertionError(failures[-1][1]) from None


# --- Words for a failure message -----------------------------------------------


def _value(value) -> str:
    if isinstance(value, str) and len(value) > 40:
        return f'"{value[:3]}..." ({len(value):_} characters)'.replace("_", " ")
    return json.dumps(value)


def describe(body) -> str:
    """A body in short, readable JSON: a good body by its name, long texts abbreviated."""
    for name, good in GOOD.items():
        if body == good:
            return name
    if isinstance(body, dict):
        return "{" + ", ".join(f'"{key}": {_value(value)}' for key, value in body.items()) + "}"
    return _value(body) if isinstance(body, str) else json.dumps(body)[:300]


def _answer(response) -> str:
    return f"{response.status_code} {response.text[:200]}"


def _contract(bookmark: dict) -> dict:
    """The fields the contract speaks of; a description left out is ""."""
    view = {field: bookmark.get(field) for field in FIELDS}
    if view["description"] is None:
        view["description"] = ""
    return view


def _json(response):
    """The JSON body, or None when there is none."""
    try:
        return response.json()
    except ValueError:
        return None


def _success(response) -> bool:
    return 200 <= response.status_code < 300


def _refused(response) -> bool:
    return 400 <= response.status_code < 500


class BookmarkApi(RuleBasedStateMachine):
    """The app next to its model: every rule sends one request and checks the answer."""

    def __init__(self, client, operations, failures, others=()):
        super().__init__()
        self.client = client
        self.operations = operations
        self.failures = failures
        self.others = list(others)  # another user's bookmarks: as if they did not exist
        if failures and perf_counter() - failures[0][0] > SHRINK_SECONDS:
            reject()  # time is up: Hypothesis reports the shortest failing series so far
        # Every id this series saw: a new bookmark must get none of them. (Only this
        # series': a failure then shows every request it depends on.)
        self.seen_ids = set()
        self.bookmarks = {}  # id -> bookmark as the app last answered it, oldest first
        self.deleted = []  # ids deleted in this series
        self.steps = []  # what happened so far, in words
        response = client.get("/bookmarks")
        listed = _json(response) if _success(response) else None
        bookmarks_with_ids = isinstance(listed, list) and all(
            isinstance(b, dict) and isinstance(b.get("id"), int) for b in listed
        )
        if not bookmarks_with_ids:
            self.steps.append("starting")
            self.fail("GET /bookmarks", f"answered {_answer(response)}; the checks start from a JSON list of bookmarks")
        self.listed_at_start = {bookmark["id"] for bookmark in listed}
        foreign = sorted(self.listed_at_start & set(self.others))
        if foreign:
            self.steps.append("starting")
            self.fail("GET /bookmarks", f"lists {foreign}, bookmarks of another user: each user sees only their own")
        for bookmark in listed:
            self.bookmarks[bookmark["id"]] = bookmark
            self.seen_ids.add(bookmark["id"])
        self.steps.append(f"GET /bookmarks ({len(listed)} bookmark{'' if len(listed) == 1 else 's'})")

    # --- helpers ---------------------------------------------------------------

    def fail(self, request: str, what: str):
        names = sorted({name for step in self.steps + [request] for name in GOOD if f" {name}" in step})
        legend = "; ".join(f"{name} = {json.dumps(GOOD[name])}" for name in names)
        message = f"after {', '.join(self.steps)}: {request} {what}" + (f"  (where {legend})" if legend else "")
        self.failures.append((perf_counter(), message))
        raise AssertionError(message)

    def choose_id(self, aim: str, pick: int) -> int:
        if aim == "existing" and self.bookmarks:
            ids = list(self.bookmarks)
            return ids[-1 - pick % len(ids)]  # pick 0, the simplest, is the newest
        if aim == "deleted" and self.deleted:
            return self.deleted[pick % len(self.deleted)]
        if self.others and pick % 2 == 0:
            return self.others[pick // 2 % len(self.others)]
        return max(self.seen_ids, default=0) + 1000

    def why_missing(self, bookmark_id: int) -> str:
        if bookmark_id in self.deleted:
            return f"bookmark {bookmark_id} was deleted"
        if bookmark_id in self.others:
            return f"bookmark {bookmark_id} is another user's: answer as if it did not exist"
        return "no bookmark has this id"

    def expect_refused(self, response, request: str, expected: str):
        if not _refused(response):
            self.fail(request, f"answered {_answer(response)}, expected {expected}")

    def expect_bookmark(self, response, request: str, expected: dict) -> dict:
        """A 2xx whose body is `expected` (in the contract's fields); answers the body."""
        wanted = f"expected {'201' if request.startswith('POST') else '200'} with {describe(expected)}"
        if not _success(response):
            self.fail(request, f"answered {_answer(response)}, {wanted}")
        body = _json(response)
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            self.fail(request, f"answered {_answer(response)}, {wanted}")
        if "id" in expected and _contract(body) != _contract(expected):
            self.fail(request, f"answered {describe(body)}, {wanted}")
        return body

    def check_list(self, after: str):
        """GET /bookmarks must list exactly the model's bookmarks, oldest first."""
        response = self.client.get("/bookmarks")
        listed = _json(response) if _success(response) else None
        expected = list(self.bookmarks.values())
        if not isinstance(listed, list):
            self.fail(after, f"answered {_answer(response)}, expected 200 with a list of {len(expected)} bookmarks")
        if listed != expected:
            self.fail(after, self.list_difference(listed, expected))

    def list_difference(self, listed: list, expected: list) -> str:
        ids = [b.get("id") if isinstance(b, dict) else b for b in listed]
        wanted = [b["id"] for b in expected]
        extra = [i for i in ids if i not in wanted]
        missing = [i for i in wanted if i not in ids]
        if extra or missing:
            problems = []
            if extra:
                why = "; ".join(f"{i}: {self.why_missing(i)}" if isinstance(i, int) else repr(i) for i in extra)
                problems.append(f"it lists {extra}, which it should not ({why})")
            if missing:
                problems.append(f"bookmark(s) {missing} are missing")
            return f"lists {len(ids)} bookmarks, expected {len(wanted)}: " + " and ".join(problems)
        if len(ids) != len(wanted):
            twice = sorted({i for i in ids if ids.count(i) > 1}, key=str)
            return f"lists {len(ids)} bookmarks, expected {len(wanted)}: it lists {twice} twice"
        if ids != wanted:
            place = next(i for i, (got, want) in enumerate(zip(ids, wanted, strict=True)) if got != want)
            return (
                f"lists bookmark {ids[place]} at place {place + 1}, expected bookmark {wanted[place]} there: "
                "the list is oldest first, in the order the bookmarks were created, and an edit "
                "keeps a bookmark's place"
            )
        for got, want in zip(listed, expected, strict=True):
            if got != want:
                return f"lists bookmark {want['id']} as {describe(got)}, expected {describe(want)}"
        return "answered another list"  # not reached: the lists differ somewhere above

    # --- the rules: one request each, then (for a change) GET /bookmarks ------------

    @initialize()
    def start_with_two_new_bookmarks(self):
        """Every series starts with two bookmarks of its own, so it has some to change."""
        self.create("A", None)
        self.create("B", None)

    def teardown(self):
        """With DELETE, a series takes its bookmarks away again: the store stays small."""
        if DELETE in self.operations:
            for bookmark_id in set(self.bookmarks) - self.listed_at_start:
                self.client.delete(f"/bookmarks/{bookmark_id}")

    # A body is the name of a good one ("A") or a bad one (a dict).
    @precondition(lambda self: CREATE in self.operations)
    @rule(body=st.sampled_from([*GOOD, *BAD]), sent_id=st.sampled_from([None, "existing", "next"]))
    def create(self, body, sent_id):
        if not isinstance(body, str):
            request = f"POST {describe(body)}"
            self.expect_refused(self.client.post("/bookmarks", json=body), request, "422 (the body breaks a rule)")
            self.steps.append(f"{request} (refused)")
            self.check_list("then GET /bookmarks")
            return
        name, sent = body, GOOD[body]
        request = f"POST {name}"
        if sent_id is not None:
            # The server picks ids: an id in the body is ignored (or refused).
            taken = next(iter(self.bookmarks), None) if sent_id == "existing" else None
            sent = {**sent, "id": taken if taken is not None else max(self.seen_ids, default=0) + 1}
            request = f'POST {name} with "id": {sent["id"]}'
        response = self.client.post("/bookmarks", json=sent)
        if sent_id is not None and _refused(response):
            self.steps.append(f"{request} (refused)")
            self.check_list("then GET /bookmarks")
            return
        body = self.expect_bookmark(response, request, {"description": "", **GOOD[name]})
        new_id = body["id"]
        if new_id in self.others:
            self.fail(request, f"answered the id {new_id}, which another user's bookmark has")
        if new_id in self.seen_ids:
            owner = f"bookmark {new_id} has" if new_id in self.bookmarks else "a deleted bookmark had"
            self.fail(
                request,
                f"answered the id {new_id}, which {owner}: a new bookmark gets an id never used before "
                "(the server picks it, from a counter that only counts up)",
            )
        expected = {"description": "", **GOOD[name], "id": new_id}
        if _contract(body) != _contract(expected):
            self.fail(request, f"answered {describe(body)}, expected 201 with {name} and a new id")
        self.bookmarks[new_id] = body
        self.seen_ids.add(new_id)
        self.steps.append(f"{request} (id {new_id})")
        self.check_list("then GET /bookmarks")

    @precondition(lambda self: READ in self.operations)
    @rule(aim=AIMS, pick=PICKS)
    def read(self, aim, pick):
        bookmark_id = self.choose_id(aim, pick)
        request = f"GET /bookmarks/{bookmark_id}"
        response = self.client.get(f"/bookmarks/{bookmark_id}")
        if bookmark_id in self.bookmarks:
            expected = self.bookmarks[bookmark_id]
            if not _success(response) or _json(response) != expected:
                self.fail(request, f"answered {_answer(response)}, expected 200 with {describe(expected)}")
        else:
            self.expect_refused(response, request, f"404 ({self.why_missing(bookmark_id)})")
        # A GET changes nothing: the story of a failure leaves it out.

    @precondition(lambda self: LIST in self.operations)
    @rule()
    def list_all(self):
        self.check_list("GET /bookmarks")

    @precondition(lambda self: REPLACE in self.operations)
    @rule(aim=AIMS, pick=PICKS, body=st.sampled_from([*GOOD, *BAD]), other_id=st.booleans())
    def replace(self, aim, pick, body, other_id):
        bookmark_id = self.choose_id(aim, pick)
        path = f"/bookmarks/{bookmark_id}"
        if not isinstance(body, str):
            request = f"PUT {path} {describe(body)}"
            self.expect_refused(
                self.client.put(path, json=body), request, "422 (the body breaks a rule; nothing changes)"
            )
            self.steps.append(f"{request} (refused)")
            self.check_list("then GET /bookmarks")
            return
        name, sent = body, GOOD[body]
        request = f"PUT {path} {name}"
        if other_id:
            # The id comes from the path: one in the body is ignored (or refused).
            sent = {**sent, "id": bookmark_id + 500}
            request = f'PUT {path} {name} with "id": {bookmark_id + 500}'
        response = self.client.put(path, json=sent)
        if bookmark_id not in self.bookmarks:
            self.expect_refused(response, request, f"404 ({self.why_missing(bookmark_id)}; PUT never creates)")
            self.steps.append(f"{request} (refused)")
        elif other_id and _refused(response):
            self.steps.append(f"{request} (refused)")
        else:
            # PUT replaces the whole bookmark: a description left out is "" again.
            expected = {"description": "", **GOOD[name], "id": bookmark_id}
            self.bookmarks[bookmark_id] = self.expect_bookmark(response, request, expected)  # keeps its place
            self.steps.append(request)
        self.check_list("then GET /bookmarks")

    @precondition(lambda self: PATCH in self.operations)
    @rule(
        aim=AIMS, pick=PICKS, changes=st.sampled_from([*CHANGES, *BAD_CHANGES, EMPTY_BY_NULL]), other_id=st.booleans()
    )
    def patch(self, aim, pick, changes, other_id):
        bookmark_id = self.choose_id(aim, pick)
        path = f"/bookmarks/{bookmark_id}"
        good = changes in CHANGES
        sent = {**changes, "id": bookmark_id + 500} if other_id and good else changes
        request = f"PATCH {path} {describe(sent)}"
        response = self.client.patch(path, json=sent)
        if bookmark_id not in self.bookmarks:
            self.expect_refused(response, request, f"404 ({self.why_missing(bookmark_id)})")
            self.steps.append(f"{request} (refused)")
        elif changes == EMPTY_BY_NULL and not _refused(response):
            # The one variant the page allows: null empties the description.
            expected = {**_contract(self.bookmarks[bookmark_id]), "description": ""}
            self.bookmarks[bookmark_id] = self.expect_bookmark(response, request, expected)
            self.steps.append(request)
        elif not good or changes == EMPTY_BY_NULL:
            self.expect_refused(response, request, "422 (the body breaks a rule; nothing changes)")
            self.steps.append(f"{request} (refused)")
        elif other_id and _refused(response):
            self.steps.append(f"{request} (refused)")
        else:
            # PATCH changes the fields sent, and only them.
            expected = {**_contract(self.bookmarks[bookmark_id]), **changes}
            self.bookmarks[bookmark_id] = self.expect_bookmark(response, request, expected)
            self.steps.append(request)
        self.check_list("then GET /bookmarks")

    @precondition(lambda self: DELETE in self.operations)
    @rule(aim=AIMS, pick=PICKS)
    def delete(self, aim, pick):
        bookmark_id = self.choose_id(aim, pick)
        request = f"DELETE /bookmarks/{bookmark_id}"
        response = self.client.delete(f"/bookmarks/{bookmark_id}")
        if bookmark_id in self.bookmarks:
            if not _success(response):
                self.fail(request, f"answered {_answer(response)}, expected 200")
            del self.bookmarks[bookmark_id]
            self.deleted.append(bookmark_id)
        else:
            self.expect_refused(response, request, f"404 ({self.why_missing(bookmark_id)})")
        self.steps.append(request)
        self.check_list("then GET /bookmarks")
