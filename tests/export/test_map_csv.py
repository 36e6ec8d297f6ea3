"""The map CSV writer: streamed rows equal the computed map, progress spans every map,
a cancel or an error leaves no file behind."""

import csv

import numpy as np
import pytest

from optiviz_gui.core import maps
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.export.maps import HEADER, write_map_csv


def specs():
    surface = BUILTINS["himmelblau"]()
    return [("SGD", maps.start_map(surface, make_optimizer("sgd", lr=0.01), 300, (7, 5))),
            ("Adam", maps.hyper_map(surface, make_optimizer("adam", lr=0.1), (0.0, 0.0), 50,
                                    (4, 3), key="betas[1]", values=(0.99, 1.0)))]


def test_rows_are_the_computed_map_in_file_order(tmp_path):
    out = tmp_path / "m.csv"
    write_map_csv(out, specs())
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == HEADER and len(rows) == 1 + 35 + 12
    for label, spec in specs():
        result = maps.compute(spec)
        mine = [r for r in rows[1:] if r[0] == label]
        n, m = spec.shape
        for k, r in enumerate(mine):
            i, j = k % n, k // n
            assert float(r[1]) == spec.u[i]
            assert r[2] == ("" if spec.v is None else repr(float(spec.v[j])))
            status = maps.STATUS[result.status[i, j]]
            assert r[6] == status
            if status == "invalid":
                assert r[3:6] == ["", "", ""]
            else:
                assert [float(v) for v in r[3:6]] == [result.x[i, j], result.y[i, j],
                                                      result.loss[i, j]]
            assert r[7] == ("" if result.step[i, j] < 0 else str(result.step[i, j]))
            assert r[8] == ("" if result.minimum[i, j] < 0 else str(result.minimum[i, j]))
    statuses = {r[6] for r in rows[1:]}
    assert {"converged", "invalid"} <= statuses        # β₂ = 1 is refused by torch
    assert {r[8] for r in rows[1:] if r[6] == "converged"} <= {"0", "1", "2", "3"}


def test_progress_runs_over_all_maps_to_the_total(tmp_path):
    calls = []
    write_map_csv(tmp_path / "m.csv", specs(), progress=lambda d, t: calls.append((d, t)))
    total = 35 * 300 + 12 * 50
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_a_cancel_leaves_no_file_and_keeps_an_old_one(tmp_path):
    out = tmp_path / "m.csv"
    out.write_text("old\n")
    with pytest.raises(maps.Cancelled):
        write_map_csv(out, specs(), cancel=lambda: True)
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]


def test_an_unwritable_place_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError, match=r"^Cannot write .*: no such file or directory\.$"):
        write_map_csv(tmp_path / "missing" / "m.csv", specs())


def test_float_text_reads_back_exactly(tmp_path):
    out = tmp_path / "m.csv"
    write_map_csv(out, specs()[:1])
    with open(out, newline="") as f:
        rows = list(csv.reader(f))[1:]
    for r in rows:
        for text in r[1:6]:
            assert repr(float(text)) == text
    assert np.isfinite([float(r[5]) for r in rows]).all()
