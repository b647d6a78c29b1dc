"""The docs site's structure: every step has its page, its suite and the same sections.

* every step folder steps/NN-slug/ has a nav entry, a page docs/steps/NN-slug.md
  and a suite tests/test_NN_*.py;
* every step page says where the learner works (its "Start from" box: my-work/NN-slug,
  `workshop start NN`, the reference to compare with) and runs and checks that folder;
* every step page has the sections of the template page (docs/steps/04-create-bookmark.md),
  in the same order, and includes its generated parts (docs/generated/NN-slug/: the code,
  what changed, the curl examples, the exercises), each with the source it needs;
* the "what changed" diff on page N is from step N-1;
* every exercise has a hint and a reference solution with its own suite, and that suite
  fails on the plain step it extends (or it would check nothing).
"""

import importlib
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # docs_parts/, the code that writes the pages' generated parts
changes = importlib.import_module("docs_parts.changes")
exercises_part = importlib.import_module("docs_parts.exercises")
DOCS = REPO / "docs"
TEMPLATE = DOCS / "steps" / "04-create-bookmark.md"
STEPS = sorted(path.name for path in (REPO / "steps").iterdir() if path.is_dir() and path.name[:2].isdigit())
PAGES = sorted(path.stem for path in (DOCS / "steps").glob("[0-9][0-9]-*.md"))
EXERCISES = sorted(path.name for path in (REPO / "exercises").iterdir() if path.is_dir())
PARTS = ["code.md", "changed.md", "examples.md", "exercises.md"]  # docs/generated/NN-slug/, in this order
LEARN_BOX = "!!! abstract \"What you'll learn\""
CHECKS_BOX = "info \"What the checks expect\""  # every rule a check relies on, on the page
# The box may be open (!!!) or collapsed (???): a reference the learner opens when a check fails.
CHECKS_BOX_LINE = re.compile(r'^(?:!!!|\?\?\?\+?) info "What the checks expect"$', re.MULTILINE)
START_BOX = "!!! tip \"Start from\""  # where the learner works, and the command that makes it


def headings(text: str) -> list[str]:
    """The page's level-2 headings, outside code blocks."""
    text = re.sub(r"^(```+|~~~+).*?^\1", "", text, flags=re.MULTILINE | re.DOTALL)
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


TEMPLATE_SECTIONS = headings(TEMPLATE.read_text(encoding="utf-8"))


def nav_pages() -> set[str]:
    return set(re.findall(r"^\s*- (?:[^:\n]+: )?(\S+\.md)\s*$", (REPO / "mkdocs.yml").read_text(), re.MULTILINE))


def test_the_template_has_the_sections_every_page_needs():
    assert TEMPLATE_SECTIONS == [
        "The idea", "The code", "What changed", "Run it", "Try it", "Check your work",
        "Key takeaways", "Exercises",
    ]


@pytest.mark.parametrize("step", STEPS)
def test_every_step_folder_has_a_page_in_the_nav_and_a_suite(step):
    assert (DOCS / "steps" / f"{step}.md").is_file(), f"steps/{step}/ has no page docs/steps/{step}.md"
    assert f"steps/{step}.md" in nav_pages(), f"docs/steps/{step}.md is not in mkdocs.yml's nav"
    suites = list((REPO / "tests").glob(f"test_{step[:2]}_*.py"))
    assert suites, f"steps/{step}/ has no suite tests/test_{step[:2]}_*.py"


@pytest.mark.parametrize("page", PAGES)
def test_every_step_page_has_a_step_folder(page):
    assert page in STEPS, f"docs/steps/{page}.md has no folder steps/{page}/"


@pytest.mark.parametrize("page", PAGES)
def test_every_step_page_has_the_template_sections_and_markers(page):
    text = (DOCS / "steps" / f"{page}.md").read_text(encoding="utf-8")
    assert re.match(rf"# Step {page[:2]} — \S", text), (
        f"docs/steps/{page}.md should start with '# Step {page[:2]} — Title'"
    )
    assert LEARN_BOX in text, f"docs/steps/{page}.md has no {LEARN_BOX} box"
    assert CHECKS_BOX_LINE.search(text), (
        f"docs/steps/{page}.md has no {CHECKS_BOX} box: a learner must read every rule a check relies on"
    )
    assert headings(text) == TEMPLATE_SECTIONS, (
        f"docs/steps/{page}.md has the sections {headings(text)}, the template has {TEMPLATE_SECTIONS}"
    )
    included = re.findall(rf'^--8<-- "docs/generated/{page}/([a-z]+\.md)"$', text, re.MULTILINE)
    assert included == PARTS, (
        f"docs/steps/{page}.md should include its generated parts once each, in this order: "
        + ", ".join(f'--8<-- "docs/generated/{page}/{part}"' for part in PARTS)
        + f" (it includes {included})"
    )
    assert (DOCS / "examples" / f"{page}.console").is_file(), (
        f"docs/steps/{page}.md has no docs/examples/{page}.console"
    )
    assert (DOCS / "exercises" / f"{page}.md").is_file(), f"docs/steps/{page}.md has no docs/exercises/{page}.md"
    assert f"tests/test_{page[:2]}_" in text, f"docs/steps/{page}.md should show the pytest command of its suite"


def box(text: str, title: str) -> str:
    """The indented body of the admonition that starts with `title`."""
    start = text.index(title) + len(title)
    lines = []
    for line in text[start:].splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("page", PAGES)
def test_every_step_page_says_where_to_work_and_checks_that_folder(page):
    text = (DOCS / "steps" / f"{page}.md").read_text(encoding="utf-8")
    where = f"docs/steps/{page}.md"
    assert text.count(START_BOX) == 1, f"{where} should have one {START_BOX} box, before '## The idea'"
    assert text.index(START_BOX) < text.index("## The idea"), f"{where}: the {START_BOX} box goes before '## The idea'"
    start = box(text, START_BOX)
    needs = (f"my-work/{page}", f"workshop start {page[:2]}", f"`steps/{page}/`", f"workshop check my-work/{page}")
    for needed in needs:
        assert needed in start, f"{where}: the {START_BOX} box should name {needed!r}"
    index = STEPS.index(page) if page in STEPS else 0
    if index:
        before = STEPS[index - 1]
        assert f"my-work/{before}" in start and f"steps/{before}" in start, (
            f"{where}: the {START_BOX} box should say that `workshop start` copies my-work/{before} "
            f"(or the reference steps/{before})"
        )
    assert "cd steps/" not in text, f"{where}: run the learner's folder (cd my-work/{page}), not the reference"
    assert f"cd my-work/{page}" in text, f"{where}: 'Run it' should run the learner's folder, cd my-work/{page}"
    assert f"workshop check my-work/{page}" in text.split("## Check your work", 1)[-1], (
        f"{where}: 'Check your work' should give `workshop check my-work/{page}`"
    )


@pytest.mark.parametrize("page", PAGES)
def test_the_code_shown_comes_from_the_step_folder(page):
    text = (DOCS / "steps" / f"{page}.md").read_text(encoding="utf-8")
    code = changes.code_part(page) if page in STEPS else ""
    included = re.findall(r'--8<-- "steps/([^/"]+)/', text + code)
    assert included, f"docs/steps/{page}.md includes no file of steps/{page}/"
    assert set(included) == {page}, f"docs/steps/{page}.md includes files of {sorted(set(included) - {page})}"
    assert "```diff" not in text, (
        f"docs/steps/{page}.md has a hand-written diff: the generated part docs/generated/{page}/changed.md has it"
    )


@pytest.mark.parametrize("step", STEPS[1:])
def test_the_diff_on_page_n_is_from_step_n_minus_1(step):
    before = STEPS[STEPS.index(step) - 1]
    assert changes.previous_step(step) == before
    assert int(before[:2]) == int(step[:2]) - 1, f"no step between {before} and {step} should be missing"
    changed = changes.changed_part(step)
    # "in step NN" of the page's own words, not of the code in the diff (a comment may say "as in step 09").
    prose = re.sub(r"^ *(```+|~~~+)[^\n]*\n.*?^ *\1 *$", "", changed, flags=re.S | re.M)
    named = set(re.findall(r"steps/(\d\d)-[a-z0-9-]+/", changed)) | set(re.findall(r"in step (\d\d)\b", prose))
    assert named <= {before[:2], step[:2]}, f"the diff on page {step} names steps {sorted(named)}"
    shared = {p.name for p in (REPO / "steps" / step).iterdir() if p.is_file()} & {
        p.name for p in (REPO / "steps" / before).iterdir() if p.is_file()  # not __pycache__
    }
    if shared:
        assert before[:2] in named, f"the diff on page {step} should compare with steps/{before}/"
    for file in sorted(shared):
        old = (REPO / "steps" / before / file).read_text(encoding="utf-8")
        new = (REPO / "steps" / step / file).read_text(encoding="utf-8")
        if old != new:
            assert f"--- steps/{before}/{file}" in changed and f"+++ steps/{step}/{file}" in changed


def test_the_first_step_has_nothing_to_compare_with():
    assert changes.previous_step(STEPS[0]) is None
    assert "first step" in changes.changed_part(STEPS[0])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_one_to_three_exercises_each_with_a_hint_and_a_solution(page):
    path = DOCS / "exercises" / f"{page}.md"
    if not path.is_file():
        pytest.fail(f"docs/exercises/{page}.md is missing")
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^### ", text, flags=re.MULTILINE)
    assert not parts[0].strip(), f"docs/exercises/{page}.md should start with '### ' and the exercise's name"
    exercises = parts[1:]
    assert 1 <= len(exercises) <= 3, f"docs/exercises/{page}.md has {len(exercises)} exercises: 1 to 3, please"
    for exercise in exercises:
        name = exercise.splitlines()[0]
        assert '??? tip "Hint"' in exercise, f"{page}: the exercise {name!r} has no collapsible hint"
        solutions = exercises_part.SOLUTION.findall(exercise)
        assert len(solutions) == 1, f"{page}: the exercise {name!r} should name one solution"
        folder = solutions[0][0]
        suite = exercises_part.suite_for(folder)
        assert f"tests/{suite.name} --app=" in exercise, f"{page}: the exercise {name!r} should show how to check it"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_solution_has_a_suite_and_a_page(exercise):
    suite = exercises_part.suite_for(f"exercises/{exercise}")
    assert suite.is_file(), f"exercises/{exercise}/ has no suite tests/{suite.name}"
    assert f'REFERENCE = "exercises/{exercise}"' in suite.read_text(encoding="utf-8")
    assert (REPO / "exercises" / exercise / "main.py").is_file()
    steps = [step for step in STEPS if step[:2] == exercise[:2]]
    assert steps, f"exercises/{exercise}/ extends no step {exercise[:2]}"
    texts = (DOCS / "exercises").glob(f"{exercise[:2]}-*.md")
    assert any(f"<!-- solution: exercises/{exercise} -->" in text.read_text(encoding="utf-8") for text in texts), (
        f"exercises/{exercise}/ is the solution of no exercise in docs/exercises/"
    )


def _listed(key: str) -> list[str]:
    """The patterns of a block setting of mkdocs.yml (exclude_docs, not_in_nav)."""
    match = re.search(rf"^{key}: \|\n((?:[ \t]+\S.*\n)+)", (REPO / "mkdocs.yml").read_text(), re.MULTILINE)
    return [line.strip() for line in match[1].splitlines()] if match else []


def _matches(path: str, pattern: str) -> bool:
    """A gitignore-like pattern as mkdocs.yml writes them: /dir/ or /file.md (or a glob)."""
    import fnmatch

    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        return path.startswith(pattern) if anchored else f"/{pattern}" in f"/{path}"
    return fnmatch.fnmatch(path, pattern) if anchored else fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern)


def test_every_site_page_is_in_the_nav():
    """A page no menu leads to is a dead end (a file that is not a page, e.g. a snippet
    another page includes, goes in mkdocs.yml's exclude_docs or not_in_nav)."""
    skipped = _listed("exclude_docs") + _listed("not_in_nav")
    pages = {
        path.relative_to(DOCS).as_posix()
        for path in DOCS.rglob("*.md")
    }
    pages = {page for page in pages if not any(_matches(page, pattern) for pattern in skipped)}
    missing = sorted(pages - nav_pages())
    assert not missing, (
        f"pages that are not in mkdocs.yml's nav: {missing} "
        "(a file that is not a page belongs in exclude_docs or not_in_nav)"
    )


# The restaurant of the home page, one mapping for every page: a role of the metaphor is
# only ever said to be its own part of the app (issue: the waiter was the API on the home page,
# fetch() on step 08's page).
METAPHOR = {"kitchen": {"backend"}, "dining room": {"frontend", "page"}, "waiter": {"API"}}
PARTS_OF_THE_APP = r"API|backend|frontend|page|fetch|script|browser|JavaScript|server"


def metaphor_claims(text: str) -> list[tuple[str, str]]:
    """(role, part) for each "the waiter is the API", "the waiter: the API", "the kitchen (the
    backend)", "Waiter<br/>the API", "fetch() is the waiter" of a page's prose (code blocks left out)."""
    text = re.sub(r"^ *(```+|~~~+)(?!mermaid).*?^ *\1 *$", "", text, flags=re.S | re.M)
    claims = []
    for role in METAPHOR:
        said = rf"\b{role}\b[*`]*\s*(?:is\s|:|\(|<br/>)\s*(?:the\s+)?[*`]*({PARTS_OF_THE_APP})\b"
        claims += [(role, part) for part in re.findall(said, text, re.IGNORECASE)]
        reverse = rf"\b({PARTS_OF_THE_APP})\b[()*`]*\s+is\s+the\s+[*`]*{role}\b"
        claims += [(role, part) for part in re.findall(reverse, text, re.IGNORECASE)]
    return claims


def test_the_home_page_states_the_restaurant_once():
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    for role, parts in METAPHOR.items():
        first = sorted(parts)[0]
        said = f"The **{role}** is the **{first}**"
        assert home.count(said) == 1, f"docs/index.md should say once: {said}"


@pytest.mark.parametrize("page", ["index.md", "http.md", *(f"steps/{page}.md" for page in PAGES)])
def test_the_restaurant_means_the_same_on_every_page(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    for role, part in metaphor_claims(text):
        assert part.lower() in {known.lower() for known in METAPHOR[role]}, (
            f"docs/{page} says the {role} is the {part}: on the home page the {role} is the "
            f"{' / '.join(sorted(METAPHOR[role]))}, and every page keeps that"
        )
    assert not re.search(r"\b(?:gets|without|adds?|add) (?:a|its|the) waiter\b", text, re.IGNORECASE), (
        f"docs/{page}: the waiter (the API) is there from step 01; the page calls it from step 08"
    )
