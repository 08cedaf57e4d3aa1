"""`flask backup create / verify / restore DIR`: see webapp/ops/backup.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.ops import backup, schema


def register_ops_cli(app: Flask) -> None:
    group = AppGroup("backup", help="备份与恢复：数据库和上传文件，附校验清单。")

    @group.command("create")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    def create(folder: Path) -> None:
        """Write a backup of the database and the upload folder into FOLDER (new or empty)."""
        try:
            manifest = backup.create(db.engine, Path(current_app.config["UPLOAD_DIR"]), folder,
                                     schema.current_revisions(db.engine))
        except backup.BackupError as exc:
            click.echo(f"备份失败：{exc}", err=True)
            sys.exit(1)
        click.echo(f"备份完成：{folder}（{len(manifest.files)} 个文件，清单 {manifest.path.name}）。")

    @group.command("verify")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def verify(folder: Path) -> None:
        """Check every file of the backup in FOLDER against its manifest; non-zero exit on any problem."""
        try:
            manifest, problems = backup.verify(folder)
        except backup.BackupError as exc:
            click.echo(f"校验失败：{exc}", err=True)
            sys.exit(1)
        for problem in problems:
            click.echo(f"校验失败：{problem}", err=True)
        if problems:
            sys.exit(1)
        click.echo(f"备份完好：{len(manifest.files)} 个文件与清单一致（{manifest.data['created_at']}）。")

    @group.command("restore")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore(folder: Path) -> None:
        """Restore the backup in FOLDER into the (empty) configured database and upload folder."""
        try:
            manifest = backup.restore(db.engine, Path(current_app.config["UPLOAD_DIR"]), folder)
        except backup.BackupError as exc:
            click.echo(f"恢复失败：{exc}", err=True)
            sys.exit(1)
        click.echo(f"恢复完成：{len(manifest.files)} 个文件。请运行 flask --app webapp init-db 升级数据库结构。")

    app.cli.add_command(group)
