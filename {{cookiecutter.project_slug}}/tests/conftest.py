{% include "conftest/" ~ cookiecutter.test_strategy ~ ".py" %}
