"""environment.yml (conda) and pyproject.toml (pip) describe the same environment."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_name_the_same_packages():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_names = {_name(d) for d in project["dependencies"]} | {
        _name(d) for d in project["optional-dependencies"]["test"]
    }
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_names = {_name(d) for d in conda} - {"python", "pip"}
    assert conda_names == pip_names, (sorted(conda_names - pip_names), sorted(pip_names - conda_names))


def test_environment_yml_pins_python_311():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_versions_agree_where_both_pin():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = {_name(d): d.replace(" ", "")[len(_name(d)) :] for d in project["dependencies"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) in pins:
            assert d.replace(" ", "")[len(_name(d)) :] == pins[_name(d)], d


def test_the_version_comes_from_the_package_metadata_which_pyproject_sets():
    import ddanalysis
    from ddanalysis.version import __version__

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert ddanalysis.__version__ == __version__ == importlib.metadata.version("ddanalysis") == project["version"]
