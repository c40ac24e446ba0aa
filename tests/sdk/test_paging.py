"""Pagers across pages: sizes, ordering, direction, restarts, manual paging."""

from __future__ import annotations

import pytest

from model_registry.types import ListOptions, OrderByField, Pager


def make_models(mr, count: int) -> list[str]:
    names = [f"model-{i:02d}" for i in range(count)]
    for name in names:
        mr.register_model(name, f"s3://b/{name}", version="1", model_format_name="onnx",
                          model_format_version="1")
    return names


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 7, 100])
def test_every_model_exactly_once(mr, page_size):
    names = make_models(mr, 7)
    assert [m.name for m in mr.get_registered_models().page_size(page_size)] == names


def test_empty_registry(mr):
    assert list(mr.get_experiments()) == []


def test_order_and_direction(mr):
    names = make_models(mr, 5)
    assert [m.name for m in mr.get_registered_models().page_size(2).descending()] == names[::-1]
    assert [m.name for m in mr.get_registered_models().order_by_creation_time().page_size(2)] == names
    assert [m.name for m in mr.get_registered_models().order_by_id().descending().page_size(3)] == names[::-1]

    # Update two models: update-time order puts them last, in the order they were updated.
    for name in ("model-01", "model-03"):
        rm = mr.get_registered_model(name)
        rm.description = "touched"
        mr.update(rm)
    by_update = [m.name for m in mr.get_registered_models().order_by_update_time().page_size(2)]
    assert by_update[-2:] == ["model-01", "model-03"]
    assert sorted(by_update) == names
    newest_first = [m.name for m in mr.get_registered_models().order_by_update_time().descending().page_size(4)]
    assert newest_first[:2] == ["model-03", "model-01"]


def test_versions_pager(mr):
    for version in ("a", "b", "c", "d"):
        mr.register_model("m", f"s3://b/{version}", version=version, model_format_name="onnx",
                          model_format_version="1")
    pager = mr.get_model_versions("m").page_size(3)
    assert [v.name for v in pager] == ["a", "b", "c", "d"]
    assert list(pager) == [], "an exhausted pager stays exhausted"
    assert [v.name for v in pager.restart()] == ["a", "b", "c", "d"]
    assert [v.name for v in mr.get_model_versions("m").descending().limit(2)] == ["d", "c", "b", "a"]


def test_manual_pages_and_tokens(mr):
    make_models(mr, 5)
    pager = mr.get_registered_models().page_size(2)
    first = pager.next_page()
    token = pager.options.next_page_token
    assert [m.name for m in first] == ["model-00", "model-01"] and token
    assert [m.name for m in pager.next_page()] == ["model-02", "model-03"]
    assert [m.name for m in pager.next_page()] == ["model-04"]
    assert pager.options.next_page_token == ""
    # An empty token starts over, with the same first token (deterministic tokens).
    assert [m.name for m in pager.next_page()] == ["model-00", "model-01"]
    assert pager.options.next_page_token == token

    items = mr.get_registered_models().page_size(2)
    assert [items.next_item().name for _ in range(6)] == [
        "model-00", "model-01", "model-02", "model-03", "model-04", "model-00"], "next_item wraps around"


def test_pager_stops_on_a_circular_list():
    """A server that never returns an empty token (upstream MLMD did that) still ends."""
    pages = {None: (["a", "b"], "t1"), "t1": (["c"], "t2"), "t2": (["a", "b"], "t1")}

    class Item:
        def __init__(self, name):
            self.name = name

    def page_fn(options: ListOptions):
        names, options.next_page_token = pages[options.next_page_token]
        return [Item(n) for n in names]

    assert [i.name for i in Pager(page_fn)] == ["a", "b", "c"]


def test_list_options():
    options = ListOptions.order_by_update_time(limit=5, is_asc=False, next_page_token="x")
    assert options.as_query() == {"pageSize": "5", "orderBy": "LAST_UPDATE_TIME", "sortOrder": "DESC",
                                  "nextPageToken": "x"}
    assert ListOptions().as_query() == {"sortOrder": "ASC"}
    assert ListOptions.order_by_id().order_by == OrderByField.ID
    with pytest.raises(ValueError, match="at least 1"):
        Pager(lambda o: []).page_size(0)
