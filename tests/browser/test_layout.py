"""The layout every page shares, and the form components, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from playwright.sync_api import Page, expect

from tests.browser.conftest import MOBILE, assert_accessible, requests_made, visit

NOT_FOUND = "/no-such-page/"


# --- sample pages for the form components and messages (see `urls` marker below) ----------


class SampleForm(forms.Form):
    name = forms.CharField(label="Project name", max_length=100, help_text="Use the name people know it by")
    summary = forms.CharField(label="Summary", widget=forms.Textarea, max_length=500)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    stage = forms.ChoiceField(
        label="Stage", choices=[("idea", "Idea"), ("pilot", "Pilot"), ("scale", "Scale")]
    )
    pilot_site = forms.CharField(label="Where is the pilot?", required=False)
    groups = forms.MultipleChoiceField(
        label="Who does it affect?", choices=[("children", "Children"), ("parents", "Parents")]
    )
    region = forms.ChoiceField(
        label="Region", choices=[("", "Choose a region"), ("north-west", "North West")]
    )


SAMPLE_FORM = """
{% extends "layout.html" %}
{% from "components/forms.html" import error_summary, input, textarea, radios, checkboxes, select, button %}
{% block title %}Describe the project{% endblock %}
{% block back_link %}{{ govukBackLink({"href": "/projects/", "text": "Back"}) }}{% endblock %}
{% block main_content %}
<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
  {{ error_summary(form) }}
  <h1 class="govuk-heading-l">Describe the project</h1>
  <form method="post" novalidate>
    {{ csrf_input }}
    {{ input(form.name, autocomplete="off") }}
    {{ textarea(form.summary) }}
    {{ textarea(form.notes, rows=3) }}
    {% set pilot_site = input(form.pilot_site)|string %}
    {{ radios(form.stage, hints={"idea": "Nothing has started"}, conditionals={"pilot": pilot_site}) }}
    {{ checkboxes(form.groups) }}
    {{ select(form.region) }}
    {{ button("Save and continue") }}
    {{ button("Save as draft", name="draft", value="1", secondary=True) }}
  </form>
</div></div>
{% endblock %}
"""

SAMPLE_MESSAGE = """
{% extends "layout.html" %}
{% block title %}Projects{% endblock %}
{% block main_content %}<h1 class="govuk-heading-l">Projects</h1>{% endblock %}
"""


def sample_form(request: HttpRequest) -> HttpResponse:
    form = SampleForm(request.POST if request.method == "POST" else None)
    template = engines["jinja2"].from_string(SAMPLE_FORM)
    return HttpResponse(template.render({"form": form}, request))


def sample_message(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Project created")
    messages.info(request, "Your organisation’s commitments statement has changed")
    template = engines["jinja2"].from_string(SAMPLE_MESSAGE)
    return HttpResponse(template.render({}, request))


urlpatterns = [
    path("sample/form/", sample_form),
    path("sample/messages/", sample_message),
    path("", include("trustworthy.config.urls")),
]
handler404 = "trustworthy.core.views.not_found"
handler500 = "trustworthy.core.views.server_error"

with_samples = pytest.mark.urls("tests.browser.test_layout")


# --- the layout ------------------------------------------------------------------------------


def test_not_found_page_is_accessible_and_titled(page: Page) -> None:
    visit(page, NOT_FOUND, status=404)

    expect(page).to_have_title("Page not found – Trustworthy Innovation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")


def test_skip_link_leads_to_the_main_content(page: Page) -> None:
    visit(page, NOT_FOUND, status=404)

    skip = page.locator("a.govuk-skip-link")
    expect(skip).to_have_attribute("href", "#main-content")
    expect(page.locator("main#main-content")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()


def test_there_is_no_gov_uk_branding(page: Page) -> None:
    visit(page, NOT_FOUND, status=404)

    html = page.content().lower()
    for branding in (
        "govuk-logo",
        "govuk-header__",
        "crown",
        "gov.uk",
        "open government licence",
        "govuk-footer__licence",
    ):
        assert branding not in html, f"GOV.UK branding in the page: {branding}"
    expect(page.locator("header")).to_contain_text("Trustworthy Innovation")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" not in font
    assert "system-ui" in font
    assert all("/govuk/" not in url for url in requests_made(page)), "GOV.UK images or fonts were requested"


def test_every_request_stays_on_the_service(page: Page, live_server: Any) -> None:
    visit(page, NOT_FOUND, status=404)
    page.wait_for_load_state("networkidle")

    urls = requests_made(page)
    origin = live_server.url
    assert [u for u in urls if not u.startswith(origin + "/")] == []
    paths = {urlsplit(u).path for u in urls}
    assert {
        "/static/css/application.css",
        "/static/js/application.js",
        "/static/js/govuk-frontend.min.js",
    } <= paths


def test_stylesheet_and_scripts_are_served(page: Page) -> None:
    visit(page, NOT_FOUND, status=404)

    stylesheet = page.locator("link[rel=stylesheet]").get_attribute("href")
    script = page.locator("script[type=module]").get_attribute("src")
    assert stylesheet
    assert script
    css = page.request.get(stylesheet)
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    assert ".govuk-generic-header" in css.text()
    js = page.request.get(script)
    assert js.status == 200
    assert "javascript" in js.headers["content-type"]
    # The stylesheet is applied: the header is black, the page has the GOV.UK width.
    header_colour = page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-generic-header')).backgroundColor"
    )
    assert header_colour == "rgb(11, 12, 12)"


def test_javascript_runs_under_the_content_security_policy(page: Page) -> None:
    response = visit(page, NOT_FOUND, status=404)

    policy = response.headers["content-security-policy"]
    nonce = page.evaluate("document.querySelector('body > script').nonce")
    assert nonce
    assert f"'nonce-{nonce}'" in policy
    assert "unsafe-inline" not in policy
    # The inline snippet ran (it needs the nonce) and so did GOV.UK Frontend (a module).
    expect(page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    # Blocked requests or scripts would fail the test when it ends (see conftest).


def test_page_works_without_javascript(page: Page, no_js_page: Page) -> None:
    visit(page, NOT_FOUND, status=404)
    visit(no_js_page, NOT_FOUND, status=404)

    heading = page.get_by_role("heading", level=1).inner_text()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text(heading)
    classes = no_js_page.locator("body").get_attribute("class") or ""
    assert "js-enabled" not in classes
    assert no_js_page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily") == page.evaluate(
        "getComputedStyle(document.querySelector('h1')).fontFamily"
    )


def test_not_found_page_on_a_small_screen(mobile_page: Page) -> None:
    visit(mobile_page, NOT_FOUND, status=404)

    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], "the page scrolls sideways on a small screen"


# --- signed in: service navigation --------------------------------------------------------


def test_signed_in_navigation(page_as: Callable[..., Page]) -> None:
    page = page_as("lead")
    visit(page, NOT_FOUND, status=404)

    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Projects")).to_have_attribute("href", "/projects/")
    expect(nav.get_by_role("link", name="Organisation settings")).to_have_attribute("href", "/organisation/")
    expect(nav.get_by_role("link", name="Switch organisation")).to_have_count(0)
    sign_out = nav.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    form = nav.locator("form.app-inline-form")
    expect(form).to_have_attribute("method", "post")
    expect(form).to_have_attribute("action", "/accounts/logout/")
    expect(form.locator("input[name=csrfmiddlewaretoken]")).to_have_count(1)
    # The button looks like the links beside it.
    link_colour = nav.get_by_role("link", name="Projects").evaluate("e => getComputedStyle(e).color")
    assert sign_out.evaluate("e => getComputedStyle(e).color") == link_colour
    sign_out.focus()
    assert_accessible(page)


def test_navigation_collapses_into_a_menu_on_a_small_screen(page_as: Callable[..., Page]) -> None:
    page = page_as("lead", viewport=MOBILE)
    visit(page, NOT_FOUND, status=404)

    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Projects", exact=True)).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation").get_by_role("link", name="Projects", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)


def test_navigation_shows_without_javascript_on_a_small_screen(page_as: Callable[..., Page]) -> None:
    page = page_as("lead", viewport=MOBILE, java_script_enabled=False)
    visit(page, NOT_FOUND, status=404)

    expect(page.get_by_role("navigation").get_by_role("link", name="Projects", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# --- messages and forms ---------------------------------------------------------------------


@with_samples
def test_messages_show_as_notification_banners(page: Page) -> None:
    visit(page, "/sample/messages/")

    success = page.locator(".govuk-notification-banner--success")
    expect(success).to_have_attribute("role", "alert")
    expect(success).to_contain_text("Project created")
    expect(success.get_by_role("heading", name="Success")).to_be_visible()
    important = page.get_by_role("region", name="Important")
    expect(important).to_contain_text("commitments statement has changed")
    # Shown once: the next page has no banners.
    visit(page, NOT_FOUND, status=404)
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)


@with_samples
def test_form_components_are_accessible(page: Page) -> None:
    visit(page, "/sample/form/")

    expect(page).to_have_title("Describe the project – Trustworthy Innovation")
    expect(page.get_by_role("link", name="Back")).to_have_attribute("href", "/projects/")
    expect(page.get_by_label("Project name")).to_have_attribute("autocomplete", "off")
    expect(page.get_by_text("You can enter up to 500 characters")).to_have_count(1)
    expect(page.get_by_role("group", name="Stage").get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("combobox", name="Region")).to_have_value("")
    # A conditional question shows when its answer is chosen.
    expect(page.get_by_label("Where is the pilot?")).to_be_hidden()
    page.get_by_role("radio", name="Pilot").check()
    expect(page.get_by_label("Where is the pilot?")).to_be_visible()
    assert_accessible(page)


@with_samples
def test_form_errors_are_summarised_and_linked(page: Page) -> None:
    visit(page, "/sample/form/")
    page.get_by_label("Summary").fill("A hub for families <b>near</b> the school")
    page.get_by_role("checkbox", name="Parents").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_title("Error: Describe the project – Trustworthy Innovation")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)  # name, stage, region
    # What the user typed or chose is kept, escaped.
    expect(page.get_by_label("Summary")).to_have_value("A hub for families <b>near</b> the school")
    expect(page.get_by_role("checkbox", name="Parents")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Children")).not_to_be_checked()
    assert_accessible(page)

    links.first.click()
    expect(page.get_by_label("Project name")).to_be_focused()
    summary.get_by_role("link").nth(1).click()
    expect(page.get_by_role("radio", name="Idea")).to_be_focused()


@with_samples
def test_form_works_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    visit(page, "/sample/form/")
    page.get_by_label("Project name").fill("Family hub")
    page.get_by_role("radio", name="Pilot").check()
    page.get_by_role("button", name="Save as draft").click()

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Project name")).to_have_value("Family hub")
    expect(page.get_by_role("radio", name="Pilot")).to_be_checked()
    expect(page.get_by_role("combobox", name="Region")).to_have_value("")
    expect(page.get_by_label("Where is the pilot?")).to_be_visible()
    assert_accessible(page)
