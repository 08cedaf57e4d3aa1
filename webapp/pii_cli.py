"""``flask --app webapp pii``: make a key for resident ID numbers, and rotate the key in use.

Rotation: give the NEW key the usual way (PII_KEY or PII_KEY_FILE) and the OLD one with ``--old-key-file``
(or the PII_OLD_KEY environment variable); every stored number is re-encrypted and every blind index
recomputed under the new key in one transaction. Afterwards only the new key reads the data.
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import db_session
from workflows import service


def register_pii_cli(app: Flask) -> None:
    group = AppGroup("pii", help="身份证号码加密密钥：生成、轮换。")

    @group.command("generate-key")
    def generate_key() -> None:
        """Print a new random key (URL-safe base64 of 32 bytes) for PII_KEY or a key file."""
        click.echo(service.generate_pii_key())

    @group.command("rotate-key")
    @click.option("--old-key-file", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="旧密钥文件；也可用环境变量 PII_OLD_KEY 提供旧密钥")
    def rotate_key(old_key_file: str | None) -> None:
        """Re-encrypt every ID number with the configured key (PII_KEY / PII_KEY_FILE), reading with the old."""
        try:
            if old_key_file:
                old = service.read_pii_key_file(old_key_file)
            elif os.environ.get("PII_OLD_KEY"):
                old = service.parse_pii_key(os.environ["PII_OLD_KEY"])
            else:
                click.echo("请用 --old-key-file 或环境变量 PII_OLD_KEY 提供旧密钥。", err=True)
                sys.exit(2)
            config = current_app.config
            dev_dir = current_app.instance_path if config.get("ENV_NAME") == "development" else None
            new = service.load_pii_key(config.get("PII_KEY", ""), config.get("PII_KEY_FILE", ""), dev_dir)
            if new == old:
                click.echo("新旧密钥相同：请先把 PII_KEY（或 PII_KEY_FILE）换成新密钥。", err=True)
                sys.exit(2)
            result = service.rotate_pii_key(db_session(), new, [old])
        except service.PiiKeyError as exc:
            click.echo(f"密钥轮换失败，数据未改动：{exc}", err=True)
            sys.exit(1)
        click.echo(f"已用新密钥（{result.new_key_id}）重新加密 {result.rows} 个身份证号码并重算检索索引；"
                   f"旧密钥（{'、'.join(result.old_key_ids)}）已不再需要。")

    app.cli.add_command(group)
