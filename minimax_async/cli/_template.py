"""``minimax-async template list`` and ``template run``: Video Agent templates."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from minimax_async._catalog import TEMPLATES, Template, template_by_id
from minimax_async._exceptions import InvalidInputError
from minimax_async.cli._exit import INTERRUPTED, OK, CliError
from minimax_async.cli._options import open_client, settings_from
from minimax_async.cli._output import Output
from minimax_async.cli._params import check_image, in_user_words
from minimax_async.cli._progress import plain_table
from minimax_async.cli._runner import Interrupt, run_command
from minimax_async.cli._single import check_out_file, collect

__all__ = ("check_template_inputs", "list_templates", "run", "usage")


def usage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``minimax-async template`` alone: say which actions there are (exit 2)."""
    parser.error("choose an action: list or run")


def list_templates(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    templates = [t for t in TEMPLATES if t.region == args.region]
    if args.json:
        for t in templates:
            row = {
                "template_id": t.template_id,
                "name": t.name,
                "region": t.region,
                "required_inputs": list(t.required_inputs),
                "note": t.note,
            }
            print(json.dumps(row, ensure_ascii=False))
        return OK
    rows = [
        (t.template_id, t.name, " + ".join(_input_flag(n) for n in t.required_inputs))
        for t in templates
    ]
    # Padded by terminal cells: the cn catalogue's names are CJK, two cells a character.
    print("\n".join(plain_table(("TEMPLATE_ID", "NAME", "REQUIRED INPUTS"), rows)))
    return OK


def _input_flag(name: str) -> str:
    return "--media" if name == "media_inputs" else "--text"


def check_template_inputs(
    template_id: str, region: str, texts: list[str], media: list[str], *, base: Path
) -> tuple[Template, list[str]]:
    """The template and the media inputs as URLs/paths-checked strings; CliError if wrong."""
    template = template_by_id(template_id, region)
    if template is None:
        other = "cn" if region == "global" else "global"
        hint = (
            f" (it is a {other} template: add --region {other})"
            if template_by_id(template_id, other)
            else ""
        )
        raise CliError(
            f"TEMPLATE_ID={template_id!r}: unknown template in the {region} catalogue{hint};"
            " see 'minimax-async template list'"
        )
    if template.needs_media and not media:
        raise CliError(f"template {template_id} ({template.name}) needs --media IMAGE")
    if template.needs_text and not texts:
        raise CliError(f"template {template_id} ({template.name}) needs --text TEXT")
    checked = [str(check_image(value, field="--media", base=base)) for value in media]
    return template, checked


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = Output(json_mode=args.json)
    interrupt = Interrupt()

    async def body() -> int:
        settings = settings_from(args)
        try:
            _, media = check_template_inputs(
                args.template_id,
                settings.region or "global",
                args.text,
                args.media,
                base=Path.cwd(),
            )
        except InvalidInputError as exc:
            raise CliError(in_user_words(exc)) from None
        check_out_file(args.out)
        async with open_client(settings, out) as client:
            if interrupt.requested:
                out.error("interrupted before the create was sent; nothing was spent")
                return INTERRUPTED
            task = await client.video_agent.create(
                template_id=args.template_id,
                text_inputs=args.text or None,
                media_inputs=[Path(m) if Path(m).is_absolute() else m for m in media] or None,
            )
            out.note(f"created template task {task.task_id}; waiting for the result")
            return await collect(
                client, task, out, args.out, patience=settings.timeout, interrupt=interrupt
            )

    return run_command(body, out, interrupt=interrupt)
