"""copier's post-copy task (``_tasks`` in copier.yml): what post_gen_project.py does for cookiecutter.

copier renders the shared tree itself; this adds the chosen strategy's and cache's own files,
the lock and ``.env``, from the same functions. The answers come as JSON in the first argument,
shaped as cookiecutter's context (copier_extensions.py). copier prints the next steps itself
(``_message_after_copy``), so nothing is printed here: the task also runs in the temporary
renders of ``copier update``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HOOKS = Path(__file__).resolve().parent
sys.path.insert(0, str(HOOKS))
from post_gen_project import finish  # noqa: E402


def main() -> None:
    context = json.loads(sys.argv[1])
    context["_repo_dir"] = str(HOOKS.parent)
    finish(Path.cwd(), context)


if __name__ == "__main__":
    main()
