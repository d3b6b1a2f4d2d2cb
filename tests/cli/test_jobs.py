"""Batch file parsing: every bad line is named, good lines get stable keys."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from minimax_async.cli._jobs import parse_jobs
from minimax_async.cli._params import VideoParams
from minimax_async.cli._v2_jobs import V2JobParams
from tests.images import JPEG_640x360, png


def _write(path: Path, *lines: object) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    return path


def test_good_lines_get_keys_models_and_absolute_image_paths(tmp_path: Path) -> None:
    shutil.copy(JPEG_640x360, tmp_path / "first.jpg")
    jobs_file = _write(
        tmp_path / "jobs.jsonl",
        {"name": "dusk", "prompt": "A lighthouse at dusk", "camera": ["pan left"]},
        "",
        "# a comment",
        {"first_frame_image": "first.jpg", "prompt": "waves", "resolution": "768p"},
        {"first_frame_image": "first.jpg", "last_frame_image": "first.jpg"},
        {"subject_reference": "https://example.test/face.jpg", "prompt": "runs"},
    )
    jobs, bad = parse_jobs(jobs_file)
    assert bad == []
    assert [job.line for job in jobs] == [1, 4, 5, 6]
    dusk, i2v, fl2v, s2v = jobs
    assert all(isinstance(job.params, VideoParams) and job.kind == "video" for job in jobs)
    assert isinstance(dusk.params, VideoParams)
    assert isinstance(fl2v.params, VideoParams)
    assert isinstance(s2v.params, VideoParams)
    assert dusk.key == "dusk"
    assert dusk.filename == "dusk.mp4"
    assert dusk.params.prompt == "A lighthouse at dusk [Pan left]"
    assert dusk.params.model is None  # the SDK picks the mode's default
    assert dusk.params.resolved_model == "MiniMax-Hailuo-2.3"
    assert i2v.key == f"job-{i2v.fingerprint.removeprefix('sha256:')[:12]}"
    assert i2v.params.first_frame_image == (tmp_path / "first.jpg").resolve()
    assert i2v.params.resolution == "768P"
    assert fl2v.params.resolved_model == "MiniMax-Hailuo-02"
    assert s2v.params.resolved_model == "S2V-01"
    assert s2v.params.subject_image == "https://example.test/face.jpg"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({"prompt": "x", "colour": "red"}, "colour="),
        ({"prompt": 5}, "prompt=5: must be a string"),
        ({"prompt": "x", "duration": "6"}, "duration='6'"),
        ({"prompt": "x", "duration": 7}, "supports durations [6, 10]"),
        ({"model": "nope", "prompt": "x"}, "unknown model"),
        ({"model": "T2V-01", "first_frame_image": "a.jpg"}, "does not support image-to-video"),
        ({"first_frame_image": "missing.jpg"}, "first_frame_image='missing.jpg': no such file"),
        ({"first_frame_image": "small.png"}, "short side must exceed 300 px"),
        ({"first_frame_image": "notes.txt"}, "is a text file, not an image"),
        ({"name": "a/b", "prompt": "x"}, "name='a/b'"),
        ({"prompt": "x", "camera": ["spin"]}, "unknown camera move"),
        ({"model": "MiniMax-Hailuo-2.3"}, "prompt: required for text-to-video"),
    ],
)
def test_bad_line_is_reported_with_its_number(tmp_path: Path, line: object, expected: str) -> None:
    (tmp_path / "small.png").write_bytes(png(200, 200))
    (tmp_path / "notes.txt").write_text("hello")
    jobs_file = _write(tmp_path / "jobs.jsonl", {"prompt": "fine"}, line, {"prompt": "also"})
    jobs, bad = parse_jobs(jobs_file)
    assert [job.line for job in jobs] == [1, 3]
    assert len(bad) == 1
    assert bad[0].line == 2
    assert expected in bad[0].message
    assert str(bad[0]).startswith("line 2: ")


def test_duplicate_name_is_a_bad_line(tmp_path: Path) -> None:
    jobs_file = _write(
        tmp_path / "jobs.jsonl", {"name": "a", "prompt": "x"}, {"name": "a", "prompt": "y"}
    )
    jobs, bad = parse_jobs(jobs_file)
    assert [job.key for job in jobs] == ["a"]
    assert [(b.line, b.message) for b in bad] == [(2, "name='a' is already used on line 1")]


def test_fingerprint_depends_on_content_not_key_order(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.jsonl", '{"prompt": "x", "duration": 6}')
    two = _write(tmp_path / "two.jsonl", '{"duration": 6,   "prompt": "x"}')
    three = _write(tmp_path / "three.jsonl", '{"duration": 10, "prompt": "x"}')
    fps = [parse_jobs(path)[0][0].fingerprint for path in (one, two, three)]
    assert fps[0] == fps[1] != fps[2]


def test_an_unnamed_job_is_keyed_by_content_not_position(tmp_path: Path) -> None:
    job = {"prompt": "Waves", "duration": 10}
    path = tmp_path / "jobs.jsonl"
    path.write_text(json.dumps(job) + "\n")
    [before], _ = parse_jobs(path)
    path.write_text(json.dumps({"name": "new", "prompt": "x"}) + "\n" + json.dumps(job) + "\n")
    [_, after], _ = parse_jobs(path)
    assert after.line == 2
    assert after.key == before.key  # an inserted line above does not resubmit it


def test_the_same_unnamed_job_twice_is_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text('{"prompt": "a"}\n{"prompt": "a"}\n')
    jobs, bad = parse_jobs(path)
    assert len(jobs) == 1
    assert [str(b) for b in bad] == ["line 2: the same job is on line 1"]


def test_a_v2_line_gets_the_v2_kind_and_absolute_media_paths(tmp_path: Path) -> None:
    shutil.copy(JPEG_640x360, tmp_path / "pet.jpg")
    jobs_file = _write(
        tmp_path / "jobs.jsonl",
        {"model": "MiniMax-H3", "prompt": "Image 1", "reference_images": "pet.jpg"},
        {
            "model": "MiniMax-H3-Max",
            "prompt": "x",
            "ratio": "1:1",
            "prompt_expansion_mode": "quality",
        },
    )
    jobs, bad = parse_jobs(jobs_file)
    assert bad == []
    refs, text = jobs
    assert (refs.kind, text.kind) == ("v2", "v2")
    assert isinstance(refs.params, V2JobParams)
    assert refs.params.reference_images == ((tmp_path / "pet.jpg").resolve(),)
    assert refs.params.create_kwargs() == {
        "model": "MiniMax-H3",
        "prompt": "Image 1",
        "reference_images": [(tmp_path / "pet.jpg").resolve()],
    }
    assert isinstance(text.params, V2JobParams)
    assert text.params.create_kwargs()["prompt_expansion_mode"] == "quality"
