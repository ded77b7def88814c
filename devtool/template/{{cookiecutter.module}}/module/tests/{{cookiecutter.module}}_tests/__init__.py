"""Tests of the `{{ cookiecutter.module }}` engine module, one file per function."""
