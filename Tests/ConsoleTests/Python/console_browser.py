"""Drives the web console in headless Chromium, as an operator would, with the keyboard where it matters.

Run by Tests/ConsoleTests/ConsoleBrowserTests.swift against a running system; it reads what to look
for from the command line, saves a screenshot of each view, prints one line per step and exits
non-zero with the reason on the first thing that is not as expected. The Swift test then checks
the outcomes (saga state, audit entries, replays) through the API.
"""
import argparse
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the console, e.g. http://127.0.0.1:8080/console")
    parser.add_argument("--token-file", required=True, help="a file holding the operator token (never printed)")
    parser.add_argument("--order", required=True, help="the id of an order saga that compensated")
    parser.add_argument("--removed", required=True, help="the id of a finished saga whose details the retention removed")
    parser.add_argument("--transfer", required=True, help="the id of a transfer saga parked at creditPayee")
    parser.add_argument("--dlq-topic", required=True, help="the dead-letter topic holding one malformed letter")
    parser.add_argument("--screenshots", required=True, help="where the screenshots go")
    parser.add_argument("--timeline", choices=["served", "absent"], required=True)
    parser.add_argument("--dead-letters", choices=["served", "absent"], required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return parser.parse_args()


class Console:
    def __init__(self, args):
        self.args = args
        options = webdriver.ChromeOptions()
        options.binary_location = args.chromium
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--no-first-run", "--disable-extensions", "--lang=en-US"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # Debian's driver, never Selenium Manager (no download).
        self.driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
        self.driver.set_page_load_timeout(30)
        self.wait = WebDriverWait(self.driver, 20)
        os.makedirs(args.screenshots, exist_ok=True)

    def step(self, text):
        print(f"browser: {text}", flush=True)

    def shot(self, name):
        path = os.path.join(self.args.screenshots, f"{name}.png")
        self.driver.save_screenshot(path)
        self.step(f"screenshot {path}")
        # Long ids, topics and notes must wrap: nothing may widen the page past the window.
        page, window = self.driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if page > window:
            raise AssertionError(f"{name}: the page is {page} px wide in a {window} px window (see {path})")

    def find(self, css):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def text_appears(self, css, text):
        """The first element matching `css` that shows `text`, once one does. The element is the
        one the wait found: looking it up again could meet a view re-rendering in between."""
        def showing(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                try:
                    if text in element.text:
                        return element
                except StaleElementReferenceException:
                    continue
            return False
        try:
            return self.wait.until(showing)
        except TimeoutException:
            shown = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
            raise AssertionError(f"{text!r} did not appear in {css}; it shows {shown!r}") from None

    def retrying_stale(self, action, attempts=10):
        """Runs `action` again while the elements it found were replaced by a re-render."""
        for attempt in range(attempts):
            try:
                return action()
            except StaleElementReferenceException:
                if attempt == attempts - 1:
                    raise

    def link(self, text):
        return self.wait.until(EC.element_to_be_clickable((By.LINK_TEXT, text)))

    def button_in(self, container, label):
        for button in container.find_elements(By.TAG_NAME, "button"):
            if button.text.strip() == label:
                return button
        raise AssertionError(f"no button {label!r} in {container.text[:200]!r}")

    def focused(self):
        return self.driver.switch_to.active_element

    def browser_errors(self):
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"
                and "Failed to load resource" not in entry["message"]]

    def filter_sagas(self, **filters):
        self.driver.get(self.args.url + "#/sagas")
        self.find("form.filters")
        for name in ["type", "step", "failureCode", "idPrefix", "since", "until"]:
            field = self.driver.find_element(By.ID, f"filter-{name}")
            field.clear()
            if name in filters:
                field.send_keys(filters[name])
        select = self.driver.find_element(By.ID, "filter-state")
        select.send_keys(filters.get("state", "any"))
        # Enter in a field submits the filters (keyboard).
        self.driver.find_element(By.ID, "filter-type").send_keys(Keys.ENTER)


def run(console, token):
    args, driver = console.args, console.driver

    console.step("sign in: a wrong token is refused in words")
    driver.get(args.url)
    field = console.find("#token")
    if driver.switch_to.active_element != field:
        raise AssertionError("the token field does not have the focus on the sign-in page")
    field.send_keys("not-a-token", Keys.ENTER)
    console.text_appears("#login-error", "refused the token")
    console.shot("01-sign-in-refused")
    field = console.find("#token")
    field.clear()
    field.send_keys(token, Keys.ENTER)
    console.find("#nav")
    console.text_appears("#view h2", "Sagas")
    stored = driver.execute_script("return Object.keys(sessionStorage)")
    if stored != ["swift-saga-console-token"]:
        raise AssertionError(f"the session holds {stored!r}")

    console.step("the order that compensated, found by filter")
    console.filter_sagas(type="order", state="compensated")
    console.text_appears(".results table", args.order)
    console.text_appears(".counts", "compensated")
    console.shot("02-sagas-filtered")
    console.link(args.order).send_keys(Keys.ENTER)
    console.text_appears("dl.facts", "compensated")
    check_timeline(console, "compensation", "03-order-timeline")

    console.step("a finished saga past the retention: its tombstone, no timeline")
    driver.get(args.url + "#/sagas/" + args.removed)
    console.text_appears("dl.facts", "Details removed")
    console.text_appears("dl.facts", "compensated")
    console.text_appears("#view", "removed after the retention of finished sagas")
    if [e for e in driver.find_elements(By.CSS_SELECTOR, "ol.timeline, #view .error") if e.text.strip()]:
        raise AssertionError("the removed saga's page shows a timeline or an error")
    console.shot("03b-saga-removed")

    console.step("the parked transfer, found by filter")
    console.filter_sagas(type="transfer", state="failed", step="creditPayee")
    console.text_appears(".results table", args.transfer)
    console.link(args.transfer).click()
    console.text_appears("dl.facts", "failed")
    check_timeline(console, "creditPayee", "04-transfer-timeline")

    console.step("parked: resolve the transfer with a note, by keyboard")
    driver.get(args.url + "#/parked")
    row = console.text_appears(".results tbody", args.transfer)
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, ".results tbody tr") if args.transfer in r.text)
    resolve = console.button_in(row, "Resolve…")
    resolve.send_keys(Keys.ENTER)
    dialog = console.find("dialog[open]")
    if console.focused().get_attribute("id") != "resolve-note":
        raise AssertionError("the resolve dialog does not put the focus on its note")
    console.focused().send_keys(Keys.ESCAPE)
    console.wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog[open]")))
    if console.focused() != resolve:
        raise AssertionError("closing the dialog did not give the focus back to its button")
    resolve.send_keys(Keys.ENTER)
    dialog = console.find("dialog[open]")
    console.button_in(dialog, "Resolve").click()
    console.text_appears("dialog[open] .error", "Write a note first")
    console.focused().send_keys("credited by hand after the bank confirmed, ticket OPS-77")
    console.shot("05-resolve-dialog")
    console.focused().send_keys(Keys.CONTROL, Keys.ENTER)
    console.wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog[open]")))
    console.text_appears("#status", f"Resolve of {args.transfer}: applied")
    console.shot("06-parked-after-resolve")

    if args.dead_letters == "served":
        console.step("dead letters: topic, group, letter; replay it")
        driver.get(args.url + "#/dead-letters")
        console.link(args.dlq_topic).click()
        console.find(".results, table, p.empty")
        group_link = console.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#view table tbody a")))
        group_link.click()
        letter = console.find("li.letter")
        console.shot("07-dead-letters")
        console.button_in(letter, "Replay…").click()
        dialog = console.find("dialog[open]")
        console.focused().send_keys("replayed from the console test", Keys.ENTER)
        console.wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog[open]")))
        console.text_appears("#status", "Replayed 1 letter(s)")
        console.step("edit and replay: a value that does not fit the schema is refused naming the field")
        # The list reloads after the replay (and may show the letter dead-lettered again): a letter
        # found before the reload is gone from the page, so find it again until the click lands.
        console.retrying_stale(lambda: console.button_in(console.find("li.letter"), "Edit and replay…").click())
        editor = console.find("#letter-value")
        editor.clear()
        editor.send_keys("{not json")
        console.button_in(console.find("dialog[open]"), "Replay edited value").click()
        console.text_appears("dialog[open] .error", "not valid JSON")
        editor.clear()
        editor.send_keys('{"unexpected": 1}')
        console.button_in(console.find("dialog[open]"), "Replay edited value").click()
        console.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "dialog[open] .error").text.strip() != "")
        console.shot("08-edit-and-replay-refused")
        editor.send_keys(Keys.ESCAPE)
        console.wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog[open]")))
    else:
        console.step("dead letters: the API has no such routes yet; the console says so in words")
        driver.get(args.url + "#/dead-letters")
        console.text_appears("#view .error", "404")
        console.shot("07-dead-letters-absent")

    console.step("audit trail: the resolve, with its note")
    driver.get(args.url + "#/audit")
    console.text_appears("#view table", "saga.resolve")
    console.text_appears("#view table", "ticket OPS-77")
    console.shot("09-audit")

    console.step("sign out")
    console.find("#sign-out").click()
    console.find("#token")
    if driver.execute_script("return Object.keys(sessionStorage)") != []:
        raise AssertionError("signing out left the token in the session")
    errors = console.browser_errors()
    if errors:
        raise AssertionError(f"the browser logged errors: {errors!r}")


def check_timeline(console, expected, shot):
    if console.args.timeline == "served":
        entry = console.find("ol.timeline li")
        console.text_appears("ol.timeline", expected)
        details = entry.find_elements(By.CSS_SELECTOR, "details summary")
        if details:
            details[0].send_keys(Keys.ENTER)  # expands its payload by keyboard
    else:
        console.text_appears("section[aria-labelledby=timeline-title] .error", "404")
    console.shot(shot)


def main():
    args = parse()
    with open(args.token_file, encoding="utf-8") as file:
        token = file.read().strip()
    console = Console(args)
    started = time.monotonic()
    try:
        run(console, token)
    except Exception as error:  # noqa: BLE001 - every failure is reported with a screenshot
        try:
            console.shot("failure")
        finally:
            print(f"browser: FAILED: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        console.driver.quit()
    print(json.dumps({"ok": True, "seconds": round(time.monotonic() - started, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
