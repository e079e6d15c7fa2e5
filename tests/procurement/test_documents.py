"""The tender document (招标文件 / 磋商文件 / 比选文件): versions rendered by a job as
a PDF with real WeasyPrint and Chinese text, the job's outcomes, and what the
document says (items, budgets, scoring, contract terms, forms)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from catalogue.choices import AuxStep
from core.models import JobStatus
from procurement import documents, services
from procurement.models import ProcurementProject, TenderDocument
from procurement.tasks import tender_document_render_task


def _pages(content: bytes) -> list[str]:
    return [
        (page.extract_text() or "").replace("\n", "")
        for page in PdfReader(io.BytesIO(content)).pages
    ]


def _generate(officer, project, capture, note=""):
    with capture(execute=True):
        doc = services.tender_document_generate(
            actor=officer, project=project, note=note
        )
    doc.job.refresh_from_db()
    return doc


def _html(project) -> str:
    """A new version's HTML, without rendering the PDF."""
    doc = TenderDocument(project=project, version=1)
    doc.created_at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    html, _context = documents.render_tender_html(doc)
    return html


@pytest.mark.slow
def test_generated_document_lists_the_items_budget_and_scoring(
    flow, world, personas, django_capture_on_commit_callbacks
):
    # given: a 磋商 project of one lot with three catalogue items
    project = flow.create()
    # when: the officer generates the document (the job runs in-process in tests)
    doc = _generate(personas.officer, project, django_capture_on_commit_callbacks)
    # then: the job is done and its file is a PDF of several pages
    job = doc.job
    assert job.status == JobStatus.DONE, job.error
    content = job.file.read()
    assert content.startswith(b"%PDF")
    pages = _pages(content)
    text = "".join(pages)
    assert job.result == {
        "pages": len(pages),
        "lots": 1,
        "items": 3,
        "bytes": len(content),
        "version": 1,
    }
    assert len(pages) > 1
    # the method's document name, the item names, the lot budget, the criteria
    assert "磋商文件" in pages[0]
    for item in world.items:
        assert item.name in text, item.name
    assert "800,000.00" in text
    for name in ("服务方案", "团队与管理", "同类项目经验"):
        assert name in text, name
    # the footer numbers the pages out of the total
    assert f"第 2 页 共 {len(pages)} 页" in pages[1]


@pytest.mark.slow
def test_contents_give_the_page_each_chapter_starts_on(
    flow, personas, django_capture_on_commit_callbacks
):
    project = flow.create()
    doc = _generate(personas.officer, project, django_capture_on_commit_callbacks)
    pages = _pages(doc.job.file.read())
    # given: the page the requirements chapter (第四章) starts on
    heading = "第四章 采购需求：服务事项、服务标准与考核"
    starts = [n for n, text in enumerate(pages, start=1) if n > 2 and heading in text]
    assert starts, "chapter 4 not found"
    # then: the contents page (page 2) names that page after the heading's leader
    toc = pages[1]
    assert "目录" in toc
    found = re.search(re.escape(heading) + r"[.\s]*(\d+)", toc)
    assert found, toc
    assert int(found.group(1)) == starts[0]


@pytest.mark.slow
def test_a_second_generation_is_version_2_and_leaves_version_1_alone(
    flow, personas, django_capture_on_commit_callbacks
):
    # given: version 1 rendered
    project = flow.create()
    first = _generate(personas.officer, project, django_capture_on_commit_callbacks)
    first_name = first.job.file.name
    first_bytes = first.job.file.read()
    # when: the officer generates again after a change
    second = _generate(
        personas.officer, project, django_capture_on_commit_callbacks, note="更正"
    )
    # then: version 2 has its own job and file, and version 1 is as it was
    assert second.version == 2
    assert second.job.status == JobStatus.DONE, second.job.error
    assert second.job.file.name != first_name
    assert second.job.result["version"] == 2
    first.job.refresh_from_db()
    assert first.job.file.name == first_name
    assert first.job.file.read() == first_bytes
    assert list(project.documents.values_list("version", flat=True)) == [2, 1]


def test_rerunning_the_task_on_a_finished_job_does_nothing(
    flow, personas, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []

    def fake(doc):
        calls.append(doc.pk)
        return b"%PDF-1.7 fake", {"pages": 1, "version": doc.version}

    monkeypatch.setattr(documents, "render_tender_pdf", fake)
    project = flow.create()
    doc = _generate(personas.officer, project, django_capture_on_commit_callbacks)
    assert doc.job.status == JobStatus.DONE
    name = doc.job.file.name
    # when: the task is delivered again for the same job
    outcome = tender_document_render_task.run(doc.job.pk)
    # then: it is skipped; nothing is rendered or stored again
    assert outcome == "skipped"
    assert calls == [doc.pk]
    doc.job.refresh_from_db()
    assert doc.job.file.name == name


def test_ensure_rendered_runs_a_queued_job_now_and_only_once(
    flow, personas, monkeypatch
):
    calls = []

    def fake(doc):
        calls.append(doc.pk)
        return b"%PDF-1.7 fake", {"pages": 1, "version": doc.version}

    monkeypatch.setattr(documents, "render_tender_pdf", fake)
    project = flow.create()
    # given: a version whose job waits for the transaction to commit
    doc = services.tender_document_generate(actor=personas.officer, project=project)
    doc.job.refresh_from_db()
    assert doc.job.status == JobStatus.PENDING
    # when: the caller needs it finished now, twice
    documents.ensure_rendered(doc)
    documents.ensure_rendered(doc)
    # then: it was rendered once, by the task, and stored
    assert calls == [doc.pk]
    assert doc.job.status == JobStatus.DONE
    assert doc.job.file.read() == b"%PDF-1.7 fake"


def test_a_failing_render_marks_the_job_failed_with_the_error(
    flow, personas, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(doc):
        raise RuntimeError("字体文件缺失")

    monkeypatch.setattr(documents, "render_tender_pdf", broken)
    project = flow.create()
    with pytest.raises(RuntimeError):
        with django_capture_on_commit_callbacks(execute=True):
            doc = services.tender_document_generate(
                actor=personas.officer, project=project
            )
    doc = project.documents.get()
    doc.job.refresh_from_db()
    assert doc.job.status == JobStatus.FAILED
    assert "字体文件缺失" in doc.job.error
    assert not doc.job.file


def test_the_document_names_each_lots_items_with_their_standards(flow, world):
    project = flow.create()
    html = _html(project)
    full, aux, extra = world.items
    for item in world.items:
        assert item.name in html
        assert item.service_standard in html
        assert item.assessment_standard in html
        assert item.assessment_method in html
    # an AUX_ONLY item names the steps bought, in words
    lot_item = project.lots.get().items.get(item=aux)
    assert lot_item.steps
    labels = dict(AuxStep.choices)
    assert "辅助环节：" + "、".join(str(labels[s]) for s in lot_item.steps) in html
    # the communities served
    for community in world.communities:
        assert community.name in html


def test_the_scoring_chapter_writes_out_the_price_formula_and_weights(flow):
    project = flow.create()
    html = _html(project)
    assert "投标人价格分 = 评审基准价 ÷ 投标人评审价 × 30" in html
    assert "不去掉最高报价和最低报价" in html
    assert "总分且评审价均相同的，由采购人以随机抽签方式确定排序" in html
    for name, weight in (("服务方案", "40"), ("团队与管理", "20")):
        assert re.search(rf"{name}</td><td class=\"num\">{weight}</td>", html)


def test_abnormal_price_shares_come_from_the_rules_in_force_on_the_issue_day(
    flow, personas
):
    # given: the project goes on offer in 2026, when the SC-13 triggers are in force
    project = flow.create()
    flow.announce()
    html = _html(ProcurementProject.objects.get(pk=project.pk))
    assert "报价低于全部通过符合性审查供应商报价平均值的 50%" in html
    assert "最高限价（未设最高限价的为预算金额）的 45%" in html
    # the documents period and the bid deadline now announced
    assert flow.deadline.strftime("%Y年%-m月%-d日 %H:%M") in html
    # when: the documents had gone on offer before the triggers were in force
    ProcurementProject.objects.filter(pk=project.pk).update(
        documents_from=dt.date(2025, 6, 2)
    )
    html = _html(ProcurementProject.objects.get(pk=project.pk))
    # then: no share is printed, only the committee's general duty to ask
    assert "平均值的 50%" not in html
    assert "明显低于其他通过符合性审查投标人的报价" in html


def test_contract_terms_and_bid_forms(flow):
    project = flow.create(
        term_years=3,
        multi_year_stated=True,
        bid_bond="16000.00",
        acceptance_plan="每季度由街道组织验收",
    )
    html = _html(project)
    assert "本项目签订 3 年期合同，已在本采购文件中载明" in html
    assert "合同签订后" in html
    assert "年度考核合格后" in html
    assert "每季度由街道组织验收" in html
    # the bond, its non-cash forms and the refund period from the rules
    assert "投标保证金金额：人民币 16,000.00 元" in html
    assert "银行保函" in html
    assert "中标通知书发出后 5 个工作日内退还" in html
    # the forms: a price sheet per lot, the declaration (CR-01, CR-07), the bond
    assert "报价一览表" in html
    assert "投标报价（小写，元）" in html
    assert "利害关系与信用声明函" in html
    assert "政府采购严重违法失信行为记录名单" in html
    assert "投标保证金递交函" in html


def test_the_document_never_shows_a_bid(flow, world):
    # given: a vendor has bid (sealed) on the announced project
    flow.create()
    flow.announce()
    flow.bid(world.bidders[0], "712345.67")
    # when: a new version of the document is made
    html = _html(flow.project)
    # then: neither the price nor the bid's response appears
    assert "712,345.67" not in html
    assert "712345.67" not in html
    assert "的服务方案" not in html


def test_building_the_document_takes_the_same_queries_for_more_lots(flow, world):
    def queries(project):
        with CaptureQueriesContext(connection) as ctx:
            _html(project)  # the context and the template
        return len(ctx)

    one = flow.create()
    lot = {
        "budget": "100000.00",
        "budget_source": "fiscal",
        "communities": [c.pk for c in world.communities],
        "items": [i.pk for i in world.items],
    }
    three = flow.create(
        lots=[{**lot, "name": f"第{n}包"} for n in (1, 2, 3)], fiscal_year=2027
    )
    three.drafted_by.set(world.bidders[2:])
    assert three.lots.count() == 3
    assert queries(three) == queries(one)


def test_the_committee_and_its_make_up_come_from_the_methods_rules(flow):
    # given: a 磋商 project (磋商小组 of 3 or more, experts at least two thirds)
    html = _html(flow.create())
    assert "磋商小组由 3 人以上单数组成，其中评审专家不少于成员总数的 2/3。" in html


def test_a_lowest_price_project_ranks_by_price_without_a_scoring_table(flow):
    project = flow.create(scoring_method="lowest_price", criteria=[])
    html = _html(project)
    assert "本项目采用最低评标价法" in html
    assert "评分表" not in html
    assert "投标人价格分 =" not in html
    assert "评审价相同的，由采购人以随机抽签方式确定排序" in html


def test_a_bixuan_document_is_a_bixuan_document_outside_government_procurement(
    flow,
):
    project = flow.create(method="bixuan")
    html = _html(project)
    assert "比选文件" in html
    assert "不属于政府采购" in html
    assert "比选小组由 7 人以上单数组成。" in html
