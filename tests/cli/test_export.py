"""`optiviz export` through the real command: GIF/PNG/MP4 out, one-sentence errors, no leftovers."""

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from optiviz_gui.resources import resource_path

STEPS = 4


def optiviz(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "optiviz_gui.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def no_display_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return env


@pytest.fixture
def session(tmp_path):
    obj = json.loads(resource_path("presets", "blog.json").read_text(encoding="utf-8"))
    obj["steps"] = STEPS
    path = tmp_path / "short.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def assert_one_sentence_error(result):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("optiviz: ") and lines[0].endswith("."), lines[0]
    assert result.stdout == ""
    return lines[0]


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_gif_without_a_screen(session, tmp_path):
    out = tmp_path / "out.gif"
    r = optiviz("export", str(session), "-o", str(out), "--size", "240x160", "--fps", "5",
                env=no_display_env())
    assert r.returncode == 0, r.stderr
    im = Image.open(out)
    assert (im.n_frames, im.size, im.info["loop"]) == (STEPS + 1, (240, 160), 0)
    durations = []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info["duration"])
    assert durations == [200] * STEPS + [2000]
    im.seek(0)
    first = im.convert("RGB")
    im.seek(STEPS)
    assert first.tobytes() != im.convert("RGB").tobytes()
    assert files(tmp_path) == ["out.gif", "short.json"]


def test_png_is_written(session, tmp_path):
    out = tmp_path / "last.png"
    r = optiviz("export", str(session), "-o", str(out), "--size", "200x150", env=no_display_env())
    assert r.returncode == 0, r.stderr
    im = Image.open(out)
    assert (im.format, im.size) == ("PNG", (200, 150))


def test_mp4_or_a_clear_message(session, tmp_path):
    out = tmp_path / "out.mp4"
    r = optiviz("export", str(session), "-o", str(out), "--size", "160x120", env=no_display_env())
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        line = assert_one_sentence_error(r)
        assert "imageio-ffmpeg" in line
        assert files(tmp_path) == ["short.json"]
    else:
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 0
        assert files(tmp_path) == ["out.mp4", "short.json"]


@pytest.mark.parametrize("args, words", [
    (["missing.json", "-o", "{tmp}/a.gif"], "No such session file"),
    (["{session}", "-o", "{tmp}/a.gif", "--size", "big"], "800x600"),
    (["{session}", "-o", "{tmp}/a.gif", "--size", "4x4"], "16x16"),
    (["{session}", "-o", "{tmp}/a.gif", "--view", "sideways"], "sideways"),
    (["{session}", "-o", "{tmp}/a.gif", "--fps", "0"], "fps"),
    (["{session}", "-o", "{tmp}/a.jpg"], ".gif"),
    (["{session}", "-o", "{tmp}/no/such/folder/a.gif"], "does not exist"),
    (["{session}"], "-o"),
])
def test_bad_input_is_one_sentence_and_no_file(session, tmp_path, args, words):
    args = [a.format(tmp=tmp_path, session=session) for a in args]
    r = optiviz("export", *args, env=no_display_env(), cwd=tmp_path)
    line = assert_one_sentence_error(r)
    assert words in line
    assert files(tmp_path) == ["short.json"]


@pytest.mark.parametrize("view", ["surface", "both"])
def test_3d_without_an_x_server_says_so(session, tmp_path, view):
    r = optiviz("export", str(session), "-o", str(tmp_path / "a.gif"), "--view", view,
                env=no_display_env())
    line = assert_one_sentence_error(r)
    assert "X server" in line and "xvfb-run" in line
    assert files(tmp_path) == ["short.json"]


def test_3d_with_a_dead_display_says_so(session, tmp_path):
    env = dict(no_display_env(), DISPLAY=":987")
    r = optiviz("export", str(session), "-o", str(tmp_path / "a.gif"), "--view", "surface",
                env=env)
    assert "X server" in assert_one_sentence_error(r)
    assert files(tmp_path) == ["short.json"]


def test_3d_under_an_x_server(qapp, session, tmp_path):
    from optiviz_gui.ui.views.surface.gl import gl_available
    if not gl_available():
        pytest.skip("no X server with OpenGL here")
    out = tmp_path / "both.gif"
    r = optiviz("export", str(session), "-o", str(out), "--view", "both", "--size", "320x140")
    assert r.returncode == 0, r.stderr
    im = Image.open(out)
    assert (im.n_frames, im.size) == (STEPS + 1, (320, 140))


def gif_frames(path):
    """Every frame of a GIF as it is shown (RGB, disposal applied), and its duration."""
    import numpy as np
    im = Image.open(path)
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append((np.asarray(im.convert("RGB")).copy(), im.info["duration"]))
    return out


def test_the_blog_gif_is_pixel_identical_to_the_reference(tmp_path):
    """tests/data/blog-480x320.gif was written by `optiviz export resources/presets/blog.json
    -o blog.gif --size 480x320 --fps 10` before the code was reorganised into layers (and
    written again once, when the map's legend got its fixed layout, and once when the
    arrows took their runs' colours and runs on one point became a split disc: issue 13);
    a change of code that is not meant to change the picture must leave every pixel of
    every frame."""
    import numpy as np
    out = tmp_path / "blog.gif"
    r = optiviz("export", str(resource_path("presets", "blog.json")), "-o", str(out),
                "--size", "480x320", "--fps", "10", env=no_display_env())
    assert r.returncode == 0, r.stderr
    reference = gif_frames(os.path.join(os.path.dirname(__file__), "..", "data",
                                        "blog-480x320.gif"))
    frames = gif_frames(out)
    assert len(frames) == len(reference) == 101
    for k, ((got, d1), (want, d2)) in enumerate(zip(frames, reference)):
        assert d1 == d2, k
        assert np.array_equal(got, want), f"frame {k} differs in {np.sum(np.any(got != want, axis=2))} pixels"


def test_the_export_command_turns_the_garbage_collector_off_meanwhile(session, tmp_path,
                                                                      monkeypatch):
    """The command's process is ours: the collector is off during the export (its
    pauses cost frames) and on again afterwards."""
    import gc

    from optiviz_gui import cli
    from optiviz_gui.ui.render import headless

    seen = []
    monkeypatch.setattr(headless, "export_session",
                        lambda *args, **kwargs: seen.append(gc.isenabled()))
    assert gc.isenabled()
    assert cli.main(["export", str(session), "-o", str(tmp_path / "a.gif")]) == 0
    assert seen == [False] and gc.isenabled()
