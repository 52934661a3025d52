{%- import "choices.j2" as c with context -%}
import pytest

from {{ cookiecutter.project_slug }}.core.db import async_database_url

PASTED = [
{%- for url in c.database.pasted_urls %}
    "{{ url }}",
{%- endfor %}
]


@pytest.mark.parametrize("url", PASTED)
def test_any_pasted_url_gets_the_async_driver(url: str) -> None:
    assert async_database_url(url) == "{{ c.database.canonical_url }}"


def test_other_databases_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'{{ c.database.foreign_scheme }}'"):
        async_database_url("{{ c.database.foreign_url }}")
