"""Brand options of `mvbot brands scan` and the command's help texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mvbot._i18n import catalog_keys
from mvbot.brands import BrandsError
from mvbot.brands._cli import parse_brand_options
from mvbot.cli import build_cli


def test_brand_with_files() -> None:
    groups = parse_brand_options(["Acme=a.png,b.png", "Beta=c.png"], [], None)

    assert groups == {"Acme": [Path("a.png"), Path("b.png")], "Beta": [Path("c.png")]}


def test_single_brand_takes_logos() -> None:
    groups = parse_brand_options(["Acme"], [Path("a.png"), Path("b.png")], None)

    assert groups == {"Acme": [Path("a.png"), Path("b.png")]}


def test_brands_file_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "brands.toml"
    path.write_text('[brands]\nAcme = ["logos/acme.png", "acme2.png"]\nBeta = "b.png"\n')

    groups = parse_brand_options([], [], path)

    assert groups == {
        "Acme": [tmp_path / "logos/acme.png", tmp_path / "acme2.png"],
        "Beta": [tmp_path / "b.png"],
    }


@pytest.mark.parametrize(
    ("entries", "logos"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param(["Acme", "Beta"], [Path("a.png")], id="two bare brands"),
        pytest.param(["Acme"], [], id="bare brand without logo"),
        pytest.param(["Acme=a.png"], [Path("b.png")], id="logo without bare brand"),
        pytest.param(["=a.png"], [], id="empty name"),
        pytest.param(["Acme="], [], id="no files"),
    ],
)
def test_invalid_brand_options(entries: list[str], logos: list[Path]) -> None:
    with pytest.raises(BrandsError, match="--brand"):
        parse_brand_options(entries, logos, None)


def test_catalogs_have_same_keys() -> None:
    spanish = {k for k in catalog_keys("es") if k.startswith("brands.")}
    english = {k for k in catalog_keys("en") if k.startswith("brands.")}

    assert spanish == english
    assert "brands.scan_help" in spanish


@pytest.mark.parametrize(
    ("command", "text"),
    [
        pytest.param("scan", "Busca los logos", id="scan"),
        pytest.param("detect", "Busca un logo", id="detect"),
        pytest.param("report", "Genera el informe", id="report"),
    ],
)
def test_help_in_spanish(command: str, text: str) -> None:
    result = CliRunner().invoke(build_cli(), ["brands", command, "--help"])

    assert result.exit_code == 0
    assert text in result.output


def test_every_and_keyframes_exclusive(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        build_cli(),
        ["brands", "scan", "--brand", "a=b.png", "--video", "v.mp4", "--every", "1",
         "--keyframes"],
    )  # fmt: skip

    assert result.exit_code == 2
    assert "--every" in result.output
