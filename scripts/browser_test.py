"""The pages in a real browser: headless Chromium driven through chromedriver (Selenium)
against a running `jobfeed serve` on a corpus-seeded database with the stored-XSS postings of
`seed_hostile` added. Run by scripts/browser-test (which installs everything it needs).

Checks, in order: the search form is filled and submitted with the keyboard and its results
are the ones `/jobs` returns for the same query; "More results" pages like the `/jobs` cursor;
a subscribe link parses as a feed; a result leads to its posting page with the posting's title
and apply link; extruct reads that page's JSON-LD as one JobPosting with the posting's values;
axe-core finds no serious or critical violation on either page; the browser console has no
error; the hostile postings show their payloads as text and nothing in them runs (any dialog
fails the run). Screenshots of both pages at desktop and phone widths go to the screenshot
directory.

Usage: browser_test.py BASE_URL AXE_JS SCREENSHOT_DIR HOSTILE_ID...
"""

import json
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import extruct
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,900",
]
DESKTOP = (1280, 900)
PHONE = (390, 844)


def fail(message):
    sys.exit(f"browser test FAILED: {message}")


def check(condition, message):
    if not condition:
        fail(message)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def fetch_json(url):
    return json.loads(fetch(url))


def result_ids(driver):
    links = driver.find_elements(By.CSS_SELECTOR, "ol.postings h3 a")
    return [a.get_attribute("href").rsplit("/", 1)[1] for a in links]


def query_of(url):
    return urllib.parse.urlsplit(url).query


def no_dialog(driver, where):
    try:
        alert = driver.switch_to.alert
        fail(f"a dialog opened on {where}: {alert.text!r} (a payload ran)")
    except NoAlertPresentException:
        pass


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def axe(driver, axe_js, where):
    driver.execute_script(axe_js)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done, e => done({error: String(e)}));"
    )
    check("error" not in result, f"axe failed on {where}: {result.get('error')}")
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    for v in bad:
        print(f"axe {v['impact']} on {where}: {v['id']}: {v['help']}", file=sys.stderr)
        for node in v["nodes"][:3]:
            print(f"    {node['html'][:160]}", file=sys.stderr)
    check(not bad, f"{len(bad)} serious or critical accessibility violations on {where}")
    others = [v["id"] for v in result["violations"]]
    print(f"axe on {where}: no serious or critical violation (minor/moderate: {others or 'none'})")


def screenshot(driver, path, size):
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
    })
    time.sleep(0.2)
    driver.save_screenshot(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def validate_job_posting(html, url, detail):
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=True)
    items = data["json-ld"]
    check(len(items) == 1, f"{url}: {len(items)} JSON-LD items, not one")
    ld = items[0]
    check(ld.get("@type") == "JobPosting", f"{url}: JSON-LD type {ld.get('@type')!r}")
    for field in ("title", "description", "datePosted", "hiringOrganization"):
        check(ld.get(field), f"{url}: JSON-LD without {field}")
    check(ld["title"] == detail["title"], f"{url}: JSON-LD title {ld['title']!r}")
    check(ld["hiringOrganization"].get("name") == detail["company"]["name"],
          f"{url}: JSON-LD organization {ld['hiringOrganization']!r}")
    check("jobLocation" in ld or ld.get("jobLocationType") == "TELECOMMUTE",
          f"{url}: JSON-LD has neither a jobLocation nor TELECOMMUTE")
    if detail.get("valid_through"):
        check(ld.get("validThrough"), f"{url}: JSON-LD without validThrough")
    return ld


def main():
    base, axe_path, shots = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    hostile_ids = sys.argv[4:]
    axe_js = open(axe_path, encoding="utf-8").read()
    started = time.monotonic()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="jobfeed-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(20)
    try:
        # The search form, with the keyboard: a workplace picked, words typed, Enter pressed.
        driver.get(f"{base}/?q=engineer")
        check(driver.find_element(By.CSS_SELECTOR, "h1").text == "Find a job", "the search page")
        screenshot(driver, f"{shots}/search-desktop.png", DESKTOP)
        screenshot(driver, f"{shots}/search-phone.png", PHONE)
        axe(driver, axe_js, "the search page")
        driver.get(f"{base}/")
        active = driver.switch_to.active_element
        active.send_keys(Keys.TAB)
        check(driver.switch_to.active_element.get_attribute("class") == "skip",
              "the first Tab stop is the skip link")
        Select(driver.find_element(By.ID, "workplace")).select_by_value("remote")
        box = driver.find_element(By.ID, "q")
        box.send_keys("engineer", Keys.ENTER)
        time.sleep(0.3)
        query = query_of(driver.current_url)
        check("workplace=remote" in query and "q=engineer" in query, f"the form's query: {query}")
        shown = result_ids(driver)
        listed = [i["id"] for i in fetch_json(f"{base}/jobs?{query}")["items"]]
        check(shown and shown == listed, f"the page shows {shown}, /jobs lists {listed}")
        print(f"search: {len(shown)} results for {query}, the same as /jobs")

        # Paging: "More results" continues with the next page of the /jobs cursor.
        driver.get(f"{base}/?limit=5")
        first = result_ids(driver)
        page = fetch_json(f"{base}/jobs?limit=5")
        check(first == [i["id"] for i in page["items"]], "the first page equals /jobs")
        driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
        second = result_ids(driver)
        expected = fetch_json(f"{base}/jobs?limit=5&cursor={urllib.parse.quote(page['next_cursor'])}")
        check(second == [i["id"] for i in expected["items"]], "the second page equals /jobs")
        check(not set(first) & set(second), "pages do not overlap")
        print("paging: the second page equals the /jobs cursor's")

        # Subscribe links parse as feeds.
        for text in ("RSS", "Atom", "JSON Feed"):
            href = driver.find_element(By.LINK_TEXT, text).get_attribute("href")
            body = fetch(href)
            if text == "JSON Feed":
                feed = json.loads(body)
                check(feed["version"].startswith("https://jsonfeed.org/version/"), href)
                count = len(feed["items"])
            else:
                root = ET.fromstring(body)
                count = len(root.findall("./channel/item")) + len(
                    root.findall("{http://www.w3.org/2005/Atom}entry"))
            check(count > 0, f"{href} has entries")
            print(f"subscribe: {text} parses, {count} entries")

        # A result leads to its posting page.
        driver.get(f"{base}/")
        # The first result that is not one of the hostile postings (checked on their own below).
        link = next(a for a in driver.find_elements(By.CSS_SELECTOR, "ol.postings h3 a")
                    if a.get_attribute("href").rsplit("/", 1)[1] not in hostile_ids)
        posting_id = link.get_attribute("href").rsplit("/", 1)[1]
        link.click()
        detail = fetch_json(f"{base}/jobs/{posting_id}")
        check(driver.find_element(By.TAG_NAME, "h1").text == detail["title"].strip(),
              "the posting page's heading is the title")
        apply = driver.find_element(By.CSS_SELECTOR, "a.button").get_attribute("href")
        # The apply address if it is a web address, else the posting's own page.
        expected = detail.get("apply_url") or ""
        if not expected.startswith(("https://", "http://")):
            expected = detail["url"]
        check(apply == expected, f"the apply link {apply}, expected {expected}")
        screenshot(driver, f"{shots}/posting-desktop.png", DESKTOP)
        screenshot(driver, f"{shots}/posting-phone.png", PHONE)
        axe(driver, axe_js, "a posting page")
        page_url = f"{base}/postings/{posting_id}"
        ld = validate_job_posting(fetch(page_url).decode("utf-8"), page_url, detail)
        print(f"posting: heading, apply link and JSON-LD ({len(ld)} fields) match /jobs/{posting_id}")

        # The API address of a posting, opened in the browser (a feed item's id), lands on its page.
        driver.get(f"{base}/jobs/{posting_id}")
        check(driver.current_url == page_url,
              f"/jobs/{posting_id} in a browser ended at {driver.current_url}, expected {page_url}")
        check(driver.find_element(By.TAG_NAME, "h1").text == detail["title"].strip(),
              "the page reached from /jobs/{id} is the posting's")
        print(f"posting: /jobs/{posting_id} in the browser is its page")

        errors = console_errors(driver)
        check(not errors, f"{len(errors)} console errors, the first: {errors[:3]}")

        # Stored XSS: the payloads show as text; nothing runs.
        for hostile in hostile_ids:
            for url in (f"{base}/?q={hostile}", f"{base}/postings/{hostile}"):
                driver.get(url)
                no_dialog(driver, url)
                scripts = driver.find_elements(By.CSS_SELECTOR, "script:not([type='application/ld+json'])")
                check(not scripts, f"{url}: {len(scripts)} script elements")
                text = driver.find_element(By.TAG_NAME, "main").text
                check("<script>alert('title')</script>" in text, f"{url}: the title shows as text")
                check("<svg onload=alert('company')>Evil & Co" in text, f"{url}: the company shows as text")
                check(not driver.find_elements(By.CSS_SELECTOR, "main img, main svg, main iframe"),
                      f"{url}: an element of a payload was created")
                hrefs = [a.get_attribute("href") or "" for a in driver.find_elements(By.TAG_NAME, "a")]
                check(not [h for h in hrefs if h.lower().startswith("javascript:")],
                      f"{url}: a javascript: link")
                time.sleep(0.2)
                no_dialog(driver, url)
            print(f"hostile posting {hostile}: shown as text, nothing ran")
        errors = console_errors(driver)
        check(not errors, f"{len(errors)} console errors on the hostile pages, the first: {errors[:3]}")
    finally:
        driver.quit()
    print(f"browser test passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
