"""The ranked-cards variant: the day's top channels for one metric."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from mvbot._avatars import initials_colour
from mvbot.infographic._entries import RankedEntry
from mvbot.infographic._fonts import TextRenderer, first_cluster
from mvbot.infographic._theme import (
    RGB,
    THEME,
    Format,
    Theme,
    circle_mask,
    rounded_panel,
    triangle,
)

__all__ = ["RowBox", "avatar_disc", "draw_ranking", "row_boxes"]

AvatarSource = Callable[[RankedEntry], Image.Image | None]


@dataclass(frozen=True, slots=True)
class RowBox:
    """Position of one ranking row: its rank (from 1) and its pixel box."""

    rank: int
    left: int
    top: int
    right: int
    bottom: int


def row_boxes(fmt: Format, rows: int = 10) -> list[RowBox]:
    """Return the boxes of `rows` ranking rows, filled column by column."""
    per_column = -(-rows // fmt.columns)
    area_top = fmt.header_height + fmt.margin // 2
    area_bottom = fmt.height - fmt.footer_height - fmt.row_gap - 4
    row_height = (area_bottom - area_top - fmt.row_gap * (per_column - 1)) // per_column
    column_width = (fmt.width - 2 * fmt.margin - fmt.column_gap * (fmt.columns - 1)) // fmt.columns

    boxes = []
    for index in range(rows):
        column, row = divmod(index, per_column)
        left = fmt.margin + column * (column_width + fmt.column_gap)
        top = area_top + row * (row_height + fmt.row_gap)
        boxes.append(RowBox(index + 1, left, top, left + column_width, top + row_height))
    return boxes


def draw_ranking(
    canvas: Image.Image,
    entries: Sequence[RankedEntry],
    *,
    fmt: Format,
    renderer: TextRenderer,
    format_value: Callable[[float], str],
    new_label: str,
    avatar_source: AvatarSource,
    slots: int = 10,
    theme: Theme = THEME,
) -> None:
    """Draw one card per entry on `canvas`, in the first boxes of a grid of `slots` rows.

    A day with fewer ranked channels than `slots` keeps the same grid and leaves the last rows
    empty, so every day's image has the same layout.
    """
    top_value = max((entry.value for entry in entries), default=0.0)
    boxes = row_boxes(fmt, max(slots, len(entries)))
    for entry, box in zip(entries, boxes, strict=False):
        _draw_row(
            canvas,
            entry,
            box,
            fmt=fmt,
            renderer=renderer,
            value_text=format_value(entry.value),
            share=entry.value / top_value if top_value > 0 else 0.0,
            new_label=new_label,
            avatar=avatar_source(entry),
            theme=theme,
        )


def _draw_row(
    canvas: Image.Image,
    entry: RankedEntry,
    box: RowBox,
    *,
    fmt: Format,
    renderer: TextRenderer,
    value_text: str,
    share: float,
    new_label: str,
    avatar: Image.Image | None,
    theme: Theme,
) -> None:
    width = box.right - box.left
    height = box.bottom - box.top
    radius = max(8, height // 6)
    rounded_panel(
        canvas,
        (box.left, box.top, box.right, box.bottom),
        fill=theme.panel_top if entry.rank <= 3 else theme.panel,
        radius=radius,
    )
    # A bar behind the row, as long as the value relative to the first row's: the ranking reads
    # as a bar chart at a glance.
    bar_width = round(width * max(0.0, min(1.0, share)))
    if bar_width >= 2 * radius:
        rounded_panel(
            canvas,
            (box.left, box.top, box.left + bar_width, box.bottom),
            fill=theme.bar,
            radius=radius,
        )

    middle = box.top + height / 2
    padding = round(height * 0.2)
    rank_width = round(fmt.rank_size * 1.5)
    rank_centre = box.left + padding + rank_width / 2
    renderer.draw(
        canvas,
        (rank_centre, middle + fmt.rank_size * 0.36),
        str(entry.rank),
        size=fmt.rank_size,
        fill=_rank_colour(entry.rank, theme),
        weight="bold",
        anchor="centre",
    )

    avatar_left = box.left + padding + rank_width + padding // 2
    diameter = min(fmt.avatar_size, height - 12)
    disc = avatar_disc(entry, diameter, renderer, avatar)
    if entry.rank <= 3:
        ring = diameter + 6
        ImageDraw.Draw(canvas).ellipse(
            (
                avatar_left - 3,
                round(middle - ring / 2),
                avatar_left - 3 + ring - 1,
                round(middle - ring / 2) + ring - 1,
            ),
            fill=_rank_colour(entry.rank, theme),
        )
    canvas.alpha_composite(disc, (avatar_left, round(middle - diameter / 2)))

    value_right = box.right - padding
    value_width = renderer.width(value_text, fmt.value_size, "bold")
    renderer.draw(
        canvas,
        (value_right, middle - 2),
        value_text,
        size=fmt.value_size,
        fill=theme.text,
        weight="bold",
        anchor="right",
    )
    change_width = _draw_change(
        canvas,
        entry,
        (value_right, middle + fmt.change_size + 8),
        size=fmt.change_size,
        renderer=renderer,
        new_label=new_label,
        theme=theme,
    )

    name_left = avatar_left + diameter + padding
    name_width = value_right - max(value_width, change_width) - padding - name_left
    # The login line is left out when it repeats the display name; the name is then centred.
    shows_login = entry.display_name.casefold() != entry.login.casefold()
    name_baseline = middle - 2 if shows_login else middle + fmt.name_size * 0.36
    renderer.draw(
        canvas,
        (name_left, name_baseline),
        renderer.fit(entry.display_name, fmt.name_size, name_width, "bold"),
        size=fmt.name_size,
        fill=theme.text,
        weight="bold",
    )
    if shows_login:
        renderer.draw(
            canvas,
            (name_left, middle + fmt.change_size + 8),
            renderer.fit(f"@{entry.login}", fmt.login_size, name_width),
            size=fmt.login_size,
            fill=theme.muted,
        )


def _draw_change(
    canvas: Image.Image,
    entry: RankedEntry,
    anchor: tuple[float, float],
    *,
    size: int,
    renderer: TextRenderer,
    new_label: str,
    theme: Theme,
) -> float:
    """Draw the change marker right-aligned at `anchor` (baseline); return its width."""
    right, baseline = anchor
    change = entry.change
    if change.kind == "new":
        label = new_label.upper()
        text_width = renderer.width(label, size - 3, "bold")
        pill_left = round(right - text_width - size)
        pill_top = round(baseline - size * 0.95)
        rounded_panel(
            canvas,
            (pill_left, pill_top, round(right), round(baseline + size * 0.38)),
            fill=theme.new,
            radius=size // 2,
        )
        renderer.draw(
            canvas,
            (right - size / 2, baseline - 1),
            label,
            size=size - 3,
            fill=theme.background_top,
            weight="bold",
            anchor="right",
        )
        return right - pill_left
    if change.kind == "same":
        # Drawn as two bars rather than "=", which is too small to read at this size.
        bar_width = size * 0.8
        thickness = max(2, round(size * 0.14))
        draw = ImageDraw.Draw(canvas)
        for offset in (-0.16, 0.16):
            y = round(baseline - size * 0.36 + offset * size)
            draw.rectangle(
                (round(right - bar_width), y - thickness // 2, round(right), y + thickness // 2),
                fill=theme.muted,
            )
        return bar_width

    colour = theme.positive if change.kind == "up" else theme.negative
    number = str(change.positions)
    number_width = renderer.draw(
        canvas, (right, baseline), number, size=size, fill=colour, weight="bold", anchor="right"
    )
    arrow_size = size * 0.62
    arrow_centre = (right - number_width - arrow_size * 0.75 - 3, baseline - size * 0.36)
    triangle(canvas, arrow_centre, arrow_size, pointing=change.kind, fill=colour)
    return number_width + arrow_size * 1.5 + 3


def _rank_colour(rank: int, theme: Theme) -> RGB:
    if rank == 1:
        return theme.gold
    if rank == 2:
        return theme.silver
    if rank == 3:
        return theme.bronze
    return theme.text


def avatar_disc(
    entry: RankedEntry,
    diameter: int,
    renderer: TextRenderer,
    picture: Image.Image | None,
) -> Image.Image:
    """Return the round avatar of `entry`: its picture, or its initials on its own colour."""
    if picture is not None:
        side = min(picture.size)
        left = (picture.width - side) // 2
        top = (picture.height - side) // 2
        square = picture.crop((left, top, left + side, top + side)).resize(
            (diameter, diameter), Image.Resampling.LANCZOS
        )
        disc = Image.new("RGBA", (diameter, diameter), (0, 0, 0, 0))
        # Transparent profile pictures get a neutral backdrop instead of the row colour.
        disc.paste((60, 60, 68, 255), (0, 0), circle_mask(diameter))
        disc.alpha_composite(square.convert("RGBA"))
        disc.putalpha(circle_mask(diameter))
        return disc

    disc = Image.new("RGBA", (diameter, diameter), (*initials_colour(entry.login), 255))
    initials = first_cluster((entry.display_name, entry.login))
    size = round(diameter * 0.46)
    renderer.draw(
        disc,
        (diameter / 2, diameter / 2 + size * 0.36),
        initials,
        size=size,
        fill=(255, 255, 255),
        weight="bold",
        anchor="centre",
    )
    disc.putalpha(circle_mask(diameter))
    return disc
