"""The statements' index reads its rows a range of ids at a time: the same columns as one
query would give, whatever the ranges' size."""

import numpy as np
import pytest

from tests.factories import make_statement
from timeline.models import Statement
from timeline.querysets import fetch_columns
from timeline.statement_index import fetch_in_ranges

pytestmark = pytest.mark.django_db


def test_rows_read_a_range_of_ids_at_a_time_are_all_the_rows_once():
    for _ in range(5):
        make_statement()
    rows = Statement.objects.order_by().values_list("pk", "sort_date", "speaker_id")
    whole = sorted(zip(*(c.tolist() for c in fetch_columns(rows, days=(1,))), strict=True))
    for size in (1, 2, 3, 100):
        ranged = fetch_in_ranges(rows, days=(1,), size=size)
        assert all(column.dtype == np.int32 for column in ranged)
        assert sorted(zip(*(column.tolist() for column in ranged), strict=True)) == whole


def test_no_rows_give_empty_columns():
    rows = Statement.objects.order_by().values_list("pk", "speaker_id")
    assert [len(column) for column in fetch_in_ranges(rows)] == [0, 0]
