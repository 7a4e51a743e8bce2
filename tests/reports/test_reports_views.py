"""Report pages: who may open which, what each role sees, drill-down lists, exports and their audit."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from leadpool.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

MARCH = "start=2026-03-01&end=2026-03-31"
DASHBOARDS = ["leads", "cost", "quality", "funnel", "speed", "people", "rotation", "data_quality"]
PAGES = {
    "manager": {*DASHBOARDS, "targets", "spend", "audiences"},
    "leader": {"leads", "quality", "funnel", "speed", "people", "rotation", "targets"},
    "marketing": {"leads", "cost", "quality", "funnel", "data_quality", "spend", "audiences"},
    "sales": set(),
}


def _url(slug: str) -> str:
    if slug in DASHBOARDS:
        return reverse("reports:report", args=[slug]) + "?" + MARCH
    return reverse(f"reports:{slug}")


def _people(w):
    return {"manager": w.manager, "leader": w.leader_a, "marketing": w.mkt, "sales": w.sale1}


@pytest.mark.parametrize("role", ["manager", "leader", "marketing", "sales"])
def test_each_role_opens_exactly_its_reports(built, login, role):
    client = login(_people(built.w)[role])
    for slug in [*DASHBOARDS, "targets", "spend", "audiences"]:
        response = client.get(_url(slug))
        expected = 200 if slug in PAGES[role] else 403
        assert response.status_code == expected, (role, slug, response.status_code)


def test_salesperson_is_sent_to_their_own_figures(built, login):
    client = login(built.w.sale1)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:me")
    page = client.get(reverse("reports:me") + "?" + MARCH).content.decode()
    assert 'id="my-speed"' in page and 'id="my-work"' in page
    assert "sale2" not in page


def test_me_shows_only_own_numbers(built, login):
    client = login(built.w.sale1)
    response = client.get(reverse("reports:me") + "?" + MARCH)
    assert response.context["speed"]["leads"] == 3 and response.context["speed"]["within"] == 2
    assert response.context["figures"]["calls"] == 2 and response.context["figures"]["attended"] == 3


def test_index_lists_the_role_reports(built, login):
    page = login(built.w.mkt).get(reverse("reports:index")).content.decode()
    assert reverse("reports:report", args=["cost"]) in page
    assert reverse("reports:report", args=["speed"]) not in page


def test_manager_dashboard_shows_figures_and_charts_without_inline_script(built, login):
    response = login(built.w.manager).get(_url("leads"))
    page = response.content.decode()
    assert response.context["page"].cards[0][1] == "7"
    assert 'data-chart="ColumnChart"' in page and 'data-chart="PieChart"' in page
    assert "chartkick/chartkick.js" in page and "reports/charts.js" in page
    assert "<script>" not in page  # every script is a file (CSP)
    assert "XLSX" in page


def test_leader_sees_only_their_teams(built, login):
    w = built.w
    response = login(w.leader_b).get(_url("leads"))
    assert response.context["page"].cards[0][1] == "2"
    speed = login(w.leader_b).get(_url("speed")).context["page"]
    assert {r["user_id"] for r in speed.tables[0].rows} == {w.sale4.pk}
    people = login(w.leader_b).get(_url("people")).context["page"]
    assert w.sale1.pk not in {r["user_id"] for r in people.tables[0].rows}
    # asking for another team's figures gives the leader's own team only
    other = login(w.leader_b).get(_url("leads") + f"&team={w.team_a.pk}")
    assert other.context["page"].cards[0][1] == "2"


def test_marketing_sees_no_full_phone_in_drill_down(built, login):
    client = login(built.w.mkt)
    page = client.get(reverse("reports:lead_list") + "?" + MARCH).content.decode()
    assert "090 000 0001" not in page and "*" in page


@pytest.mark.parametrize("user_key", ["leader_a", "mkt", "sale1"])
def test_only_managers_export(built, login, user_key):
    client = login(getattr(built.w, user_key))
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("reports:export", args=["leads", "by_source", fmt]) + "?" + MARCH)
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_manager_exports_csv_and_xlsx_and_each_is_audited(built, login):
    client = login(built.w.manager)
    response = client.get(reverse("reports:export", args=["cost", "by_source", "csv"]) + "?" + MARCH)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Nguồn", "Chi phí", "Lead"]
    fb = next(r for r in rows if r[0] == "Facebook Ads")
    assert fb[1:6] == ["4500000", "4", "1125000", "2", "2250000"]
    response = client.get(reverse("reports:export", args=["speed", "people", "xlsx"]) + "?" + MARCH)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Nhân viên" and len(values) == 1 + 4
    entries = list(AuditEntry.objects.filter(action="export").order_by("id"))
    assert [e.data["what"] for e in entries] == ["cost-by_source", "speed-people"]
    assert entries[0].data["rows"] == 3 and entries[0].actor_id == built.w.manager.pk


@pytest.mark.parametrize("slug", DASHBOARDS)
def test_every_dashboard_table_exports(built, login, slug):
    client = login(built.w.manager)
    page = client.get(_url(slug)).context["page"]
    for table in page.tables:
        response = client.get(reverse("reports:export", args=[slug, table.key, "xlsx"]) + "?" + MARCH)
        assert response.status_code == 200


def test_unknown_report_or_table_is_404(built, login):
    client = login(built.w.manager)
    assert client.get("/reports/nope/").status_code == 404
    assert client.get(reverse("reports:export", args=["leads", "nope", "csv"])).status_code == 404
    assert client.get("/reports/leads/export/by_source.pdf").status_code == 404


def _count(client, url) -> int:
    return client.get(url).context["page"].paginator.count


def test_every_figure_links_to_as_many_rows_as_it_counts(built, login):
    """Follow every link of every dashboard as the manager: each list holds exactly the customers or leads counted."""
    client = login(built.w.manager)
    checked = 0
    for slug in DASHBOARDS:
        page = client.get(_url(slug)).context["page"]
        for table in page.tables:
            for row, cells in zip(table.rows, table.cells(), strict=True):
                for column, cell in zip(table.columns, cells, strict=True):
                    if cell["link"]:
                        n, figure = _count(client, cell["link"]), row[column.key] or 0
                        if slug == "people":
                            # work counts (calls, moves) link to the customers they were done on
                            assert (n > 0) == (figure > 0) and n <= figure, (table.key, column.key, row)
                        else:
                            assert n == figure, (slug, table.key, column.key, row)
                        checked += 1
    assert checked > 60


def test_drill_down_is_scoped_to_the_viewer(built, login):
    w = built.w
    url = reverse("reports:customer_list") + "?" + MARCH
    assert _count(login(w.manager), url) == 6
    assert _count(login(w.leader_b), url) == 2  # c4, c5
    assert _count(login(w.sale4), url) == 2
    assert _count(login(w.sale1), url) == 1  # c1 only: c3 was rotated away from sale1
    leads = reverse("reports:lead_list") + "?" + MARCH
    assert _count(login(w.sale2), leads) == 3  # c2, c3 and c8 are now sale2's


def test_leader_cannot_drill_into_another_teams_person(built, login):
    w = built.w
    url = reverse("reports:customer_list") + f"?{MARCH}&called_by={w.sale1.pk}"
    assert _count(login(w.leader_b), url) == 0
    assert _count(login(w.leader_a), url) == 1


def test_lists_do_not_grow_queries_with_rows(built, login, django_assert_max_num_queries):
    client = login(built.w.manager)
    with django_assert_max_num_queries(12):
        client.get(reverse("reports:lead_list") + "?" + MARCH)
    with django_assert_max_num_queries(12):
        client.get(reverse("reports:customer_list") + "?" + MARCH)
