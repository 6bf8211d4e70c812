"""core/cli/kit.py: what a plugin's commands use, exercised through a small Typer app as a plugin would build."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from surety.core.cli import kit, main
from surety.core.identity.models import User

runner = CliRunner()
plugin_app = typer.Typer()


@plugin_app.command()
def whoami(tenant_slug: str = typer.Option(..., "--tenant"), as_user: str = typer.Option("admin", "--as-user"),
           key: str = typer.Option("customers", "--plugin")) -> None:
    t = kit.tenant_with_plugin(tenant_slug, key)
    with kit.db().tenant_session(t.id) as s, kit.progress() as bar:
        who = kit.as_user(s, as_user)
        bar.add_task("reading", total=1)
        kit.console.print(f"{who.username} in {t.slug}")


@plugin_app.command()
def broken() -> None:
    kit.fail("nothing to do here", 3)


def test_kit_commands(db, make_tenant):
    with_customers, bare = make_tenant(plugins=["customers"]), make_tenant()
    r = runner.invoke(plugin_app, ["whoami", "--tenant", with_customers.slug])
    assert r.exit_code == 0 and f"admin in {with_customers.slug}" in r.output, r.output
    r = runner.invoke(plugin_app, ["whoami", "--tenant", bare.slug])
    assert r.exit_code == 1
    said = " ".join(r.output.split())  # rich wraps long lines
    assert f"the customers plugin is not enabled for {bare.slug} (surety tenant enable-plugin {bare.slug} " \
           f"customers)" in said
    r = runner.invoke(plugin_app, ["whoami", "--tenant", "no-such-slug"])
    assert r.exit_code == 1 and "error:" in r.output
    r = runner.invoke(plugin_app, ["whoami", "--tenant", with_customers.slug, "--as-user", "nobody"])
    assert r.exit_code == 2 and "no user 'nobody' in this tenant" in r.output
    with db.tenant_session(with_customers.id) as s:
        s.scalar(select(User).where(User.username == "admin")).status = "disabled"
    r = runner.invoke(plugin_app, ["whoami", "--tenant", with_customers.slug])
    assert r.exit_code == 2 and "is disabled, not active" in r.output
    r = runner.invoke(plugin_app, ["broken"])
    assert r.exit_code == 3 and "error: nothing to do here" in r.output


@pytest.mark.parametrize("name", ["console", "db", "fail", "progress", "tenant", "as_user", "tenant_with_plugin"])
def test_main_re_exports_the_kit(name):
    assert getattr(main, name) is getattr(kit, name)
