"""Flask commands of the admin area: `flask catalogues import` loads the occupation and textbook catalogues."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from webapp.extensions import db_session
from workflows import service


def register_admin_cli(app: Flask) -> None:
    group = AppGroup("catalogues", help="职业目录和教材目录。")

    @group.command("import")
    @click.option("--occupations", "occupations_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  default=None, help="职业目录 CSV（默认 data/occupations.csv）")
    @click.option("--textbooks", "textbooks_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  default=None, help="教材目录 CSV（默认 data/textbooks.csv）")
    @click.option("--replace", is_flag=True, help="删除文件中没有的条目")
    def import_(occupations_path: Path | None, textbooks_path: Path | None, replace: bool) -> None:
        """Load the catalogues from CSV files (the shipped ones by default); all or nothing."""


        try:
            counts = service.import_catalogue_files(db_session(), occupations_path, textbooks_path, replace=replace)
            db_session().commit()
        except ValueError as exc:
            db_session().rollback()
            click.echo(f"导入失败，未导入任何数据：\n{exc}", err=True)
            sys.exit(1)
        click.echo(f"已导入职业 {counts['occupation']} 个、教材 {counts['textbook']} 种。")

    @group.command("export")
    @click.option("--occupations", "occupations_path", type=click.Path(dir_okay=False, path_type=Path),
                  required=True, help="写出职业目录 CSV（含紧缺急需列 shortage），可用 import 导回")
    def export(occupations_path: Path) -> None:
        """Write the occupation catalogue in force as CSV (the columns `import` reads)."""
        text = service.occupations_csv(service.occupations(db_session()).values())
        occupations_path.write_text(text, encoding="utf-8")
        click.echo(f"已导出职业 {len(service.occupations(db_session()))} 个到 {occupations_path}。")

    @group.command("status")
    def status() -> None:
        """Where the catalogues are read from and how many entries they hold."""


        loaded = service.catalogue_loaded(db_session())
        for name, label, items in (("occupation", "职业目录", service.occupations(db_session())),
                                   ("textbook", "教材目录", service.textbooks(db_session()))):
            source = "数据库" if loaded[name] else "随系统提供的数据文件"
            click.echo(f"{label}：{len(items)} 条（{source}）")

    app.cli.add_command(group)
