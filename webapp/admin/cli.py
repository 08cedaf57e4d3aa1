"""Flask commands of the admin area: `flask catalogues import` loads the occupation and textbook catalogues."""

from __future__ import annotations

import sys
from datetime import datetime
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
    @click.option("--source", "source_document", default=None,
                  help="来源文件，如 中华人民共和国职业分类大典（2022年版）")
    @click.option("--edition", default="", help="版本，如 2022年版")
    @click.option("--date", "published_on", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="来源文件的发布日期 YYYY-MM-DD")
    def import_(occupations_path: Path | None, textbooks_path: Path | None, replace: bool,
                source_document: str | None, edition: str, published_on: datetime | None) -> None:
        """Load the catalogues from CSV files (UTF-8 with or without BOM, or GB18030/GBK; the shipped ones by
        default); all or nothing. The provenance (--source, --edition, --date) is recorded."""
        source = service.CatalogueSourceInput(source_document, edition, published_on.date() if published_on else None) \
            if source_document else None
        try:
            result = service.import_catalogue_files(db_session(), occupations_path, textbooks_path, replace=replace,
                                                    source=source, by="命令行导入")
            db_session().commit()
        except ValueError as exc:
            db_session().rollback()
            click.echo(f"导入失败，未导入任何数据：\n{exc}", err=True)
            sys.exit(1)
        counts = result.counts
        click.echo(f"已导入职业 {counts['occupation']} 个、教材 {counts['textbook']} 种。")
        for name, label in (("occupation", "职业目录文件"), ("textbook", "教材目录文件")):
            if name in result.encodings:
                click.echo(f"{label}编码：{result.encodings[name]}")

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
