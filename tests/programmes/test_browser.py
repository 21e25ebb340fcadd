"""The portfolio dashboard in a real browser, with JavaScript off: the filters as a plain
GET form, the charts beside their tables, every page checked with axe-core, and every
table downloaded and read as CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, browser, new_page, no_js_page, sign_in, visit
from trustworthy.programmes.presenters import TABLES

from .conftest import Portfolio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "new_page", "no_js_page"]  # the harness's fixtures


def test_dashboard_and_its_filters_without_javascript(
    no_js_page: Page, live_server: Any, portfolio: Portfolio
) -> None:
    from trustworthy.organisations.models import User

    page = no_js_page
    sign_in(page, live_server.url, User.objects.get(email="overseer@national.test"))
    visit(page, "/programmes/")
    page.get_by_role("link", name="National Innovation Fund").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National Innovation Fund")
    assert_accessible(page)
    expect(
        page.get_by_text("In view: 3 signed appraisals of 2 projects from 2 organisations")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Signed appraisals by stage and decision")).to_be_visible()

    page.get_by_label("Stage", exact=True).select_option("development")
    page.get_by_role("button", name="Apply filters").click()
    assert "stage=development" in page.url
    assert_accessible(page)
    expect(page.get_by_text("In view: 1 signed appraisal of 1 project from 1 organisation")).to_be_visible()
    expect(page.get_by_label("Stage", exact=True)).to_have_value("development")
    departures = page.get_by_role("table", name="Decisions that depart from the framework")
    expect(departures.get_by_role("link", name="Residential hub")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download “Principles most often at risk” (CSV)").click()
    download = info.value
    assert download.suggested_filename == "national-innovation-fund-principles.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert [(r["Principle"].split()[0], r["All"]) for r in rows] == [("HR2", "1")]  # filtered to development

    page.get_by_label("Decided on or after").fill("2026-12-01")
    page.get_by_label("Decided on or before").fill("2026-01-01")
    page.get_by_role("button", name="Apply filters").click()
    expect(
        page.get_by_role("link", name="The end date must be the same as or after the start date")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_text("In view: 3 signed appraisals")).to_be_visible()
    page.get_by_role("link", name="Residential hub").click()
    expect(page.get_by_text("Residential hub").first).to_be_visible()


def test_an_organisations_portfolio_and_sharing_page(
    no_js_page: Page, live_server: Any, portfolio: Portfolio
) -> None:
    from trustworthy.organisations.models import User

    page = no_js_page
    sign_in(page, live_server.url, User.objects.get(email="lead@council.test"))
    visit(page, "/organisation/portfolio/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio of Northshire Council")
    visit(page, "/organisation/programmes/")
    page.get_by_role("button", name="Share “Predictive analytics” with National Innovation Fund").click()
    expect(
        page.get_by_text("“Predictive analytics” is now shared with National Innovation Fund.")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role(
        "button", name="Stop sharing “Predictive analytics” with National Innovation Fund"
    ).click()
    expect(page.get_by_text("is no longer shared with National Innovation Fund")).to_be_visible()


def test_the_dashboards_fit_a_phone_without_sideways_scrolling(
    new_page: Any, live_server: Any, portfolio: Portfolio
) -> None:
    from trustworthy.organisations.models import User

    for email, path in (
        ("overseer@national.test", "/programmes/"),
        ("lead@council.test", "/organisation/portfolio/"),
    ):
        page = new_page(viewport={"width": 375, "height": 812}, java_script_enabled=False)
        sign_in(page, live_server.url, User.objects.get(email=email))
        visit(page, path)
        if path == "/programmes/":
            page.get_by_role("link", name="National Innovation Fund").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        assert_accessible(page)


def test_the_charts_and_every_csv_download(no_js_page: Page, live_server: Any, portfolio: Portfolio) -> None:
    """Each chart is an image named by its figures, beside its table; each table downloads as
    CSV that the csv module reads back with the table's own headers."""
    from trustworthy.organisations.models import User

    from .test_dashboard import evaluate

    evaluate(portfolio.signed["kinship"], "trust")
    page = no_js_page
    sign_in(page, live_server.url, User.objects.get(email="overseer@national.test"))
    visit(page, f"/programmes/{portfolio.programme.slug}/")
    charts = {
        "stages": "Bar chart of signed appraisals by stage and decision. Inception of the idea: 2",
        "principles": "Bar chart of principles most often at risk. HR2 ",
        "answers": "Bar chart of questions most often answered no or not sure. T1 ",
        "motivations": "Bar chart of main motivations of projects. ",
        "realised": "Bar chart of expected against realised, in signed post hoc evaluations. ",
    }
    for name, start in charts.items():
        chart = page.get_by_role("img", name=re.compile("^" + re.escape(start)))
        expect(chart).to_be_visible()
        assert chart.get_attribute("id") == f"chart-{name}"
        # The table with the same figures follows the chart, in the same section.
        section = page.locator("section", has=page.locator(f"#chart-{name}"))
        expect(section.get_by_role("table")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Post hoc evaluation: 1 \\(Proceed 1\\)"))).to_be_visible()

    links = page.get_by_role("link", name=re.compile(r"^Download “.*” \(CSV\)$"))
    assert links.count() == len(TABLES)  # every table of figures can be downloaded
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        assert href
        response = page.request.get(page.url.split("?")[0] + href)
        assert response.status == 200, href
        assert response.headers["content-type"] == "text/csv; charset=utf-8", href
        assert response.headers["content-disposition"].startswith("attachment; filename="), href
        rows = list(csv.reader(io.StringIO(response.text())))
        name = href.rsplit("table=", 1)[1]
        shown = page.locator(f"#table-{name} ~ div table thead th")
        if shown.count():
            assert rows[0] == shown.all_inner_texts(), name
        assert all(len(row) == len(rows[0]) for row in rows), name


def test_the_organisation_page_leads_to_its_portfolio_and_programmes(
    no_js_page: Page, live_server: Any, portfolio: Portfolio
) -> None:
    from trustworthy.organisations.models import User

    page = no_js_page
    sign_in(page, live_server.url, User.objects.get(email="viewer@council.test"))
    visit(page, "/projects/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Organisation settings").click()
    assert_accessible(page)
    page.get_by_role("link", name="Portfolio of Northshire Council’s signed appraisals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio of Northshire Council")
    expect(
        page.get_by_role("img", name=re.compile("^Bar chart of signed appraisals by stage"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role(
        "link", name="Programmes your organisation belongs to, and the projects it shares with them"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes your organisation belongs to")
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Organisation settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire Council")
    page.get_by_role("link", name="Programmes and the projects shared with them").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes your organisation belongs to")
