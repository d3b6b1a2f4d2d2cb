from __future__ import annotations

import warnings

import pytest

from minimax_async import CameraCommandWarning, CameraMove, camera
from minimax_async._camera import check_camera_commands


def test_there_are_fifteen_documented_moves() -> None:
    assert len(CameraMove) == 15


def test_camera_composes_one_bracket() -> None:
    assert camera(CameraMove.PAN_LEFT, CameraMove.PEDESTAL_UP) == "[Pan left,Pedestal up]"


def test_camera_normalises_known_text() -> None:
    assert camera("pan_left", "ZOOM IN") == "[Pan left,Zoom in]"


def test_unknown_moves_warn_but_are_kept() -> None:
    with pytest.warns(CameraCommandWarning, match="Push out"):
        assert camera("Push out") == "[Push out]"


def test_more_than_three_warns() -> None:
    with pytest.warns(CameraCommandWarning, match="at most 3"):
        camera(CameraMove.PAN_LEFT, CameraMove.TILT_UP, CameraMove.ZOOM_IN, CameraMove.SHAKE)


def test_prompt_check_is_silent_for_documented_moves() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        notes = check_camera_commands("A lighthouse [Pan left,Pedestal up], then [Static shot]")
    assert notes == []


def test_model_without_camera_control_warns() -> None:
    with pytest.warns(CameraCommandWarning, match="T2V-01 does not document"):
        check_camera_commands("x [Pan left]", model="T2V-01")


def test_camera_needs_a_move() -> None:
    with pytest.raises(ValueError, match="at least one"):
        camera()
