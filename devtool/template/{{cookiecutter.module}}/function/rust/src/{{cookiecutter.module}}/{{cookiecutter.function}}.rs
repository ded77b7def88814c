{#- The kernel, its binding and its tests: `_model.kernel_form` (devtool.scaffold.model) says which kernel,
    the template's placeholder, devtool's translation of the Python function (served), or the unwritten
    kernel of a `--from` function; each part reads like the Rust it makes (templates/function/*.rs.j2). -#}
{% set form = cookiecutter._model.kernel_form %}
{% if form == "translated" %}
{% include "function/kernel_translated.rs.j2" %}

{% include "function/binding.rs.j2" %}
{#- The kernel's tests are the parity tests against the Python function, in tests/. -#}
{% elif form == "unwritten" %}
{% include "function/kernel_unwritten.rs.j2" %}

{% include "function/binding.rs.j2" %}

{% include "function/tests_unwritten.rs.j2" %}
{% if cookiecutter._model.translation_kept %}

{% include "function/translation_kept.rs.j2" %}
{% endif %}
{% else %}
{% include "function/kernel_placeholder.rs.j2" %}

{% include "function/binding.rs.j2" %}

{% include "function/tests_placeholder.rs.j2" %}
{% endif %}
