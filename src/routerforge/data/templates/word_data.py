"""Word lists for the word-problem stories: things people count, verb phrases that mean exactly one
operation, containers, crowds and products. Every phrase is a (present, past) pair; `{n}` / `{k}` is the
operand, `{other}` another person, `{poss}` her/his, `{pron}` she/he, `{thing}` a product.

Written for this project. A phrase must mean its operation without doubt: "gives half of them to X"
is /2, "eats 3" is -3, "triples them" is *3.
"""

from __future__ import annotations


def _p(present: str, past: str) -> tuple[str, str]:
    return (present, past)


PERSON_VOICE: dict[str, list[tuple[str, str]]] = {
    "+": [_p("buys {n} more", "bought {n} more"), _p("gets {n} more", "got {n} more"),
          _p("is given {n} more", "was given {n} more"), _p("finds {n} more", "found {n} more"),
          _p("receives {n} from {other}", "received {n} from {other}")],
    "-": [_p("gives away {n}", "gave away {n}"), _p("loses {n}", "lost {n}"),
          _p("gives {n} to {other}", "gave {n} to {other}"), _p("sells {n}", "sold {n}")],
    "*2": [_p("doubles what {pron} has", "doubled what {pron} had"), _p("doubles the pile", "doubled the pile")],
    "*3": [_p("triples what is left", "tripled what was left")],
    "*k": [_p("multiplies {poss} stash by {k}", "multiplied {poss} stash by {k}"),
           _p("ends up with {k} times as many as {pron} had at that point",
              "ended up with {k} times as many as {pron} had at that point")],
    "/2": [_p("gives half of them to {other}", "gave half of them to {other}"),
           _p("keeps only half of them", "kept only half of them")],
    "/k": [_p("splits them into {k} equal piles and keeps one pile", "split them into {k} equal piles and kept one pile")],
}

CONTAINER_VOICE: dict[str, list[tuple[str, str]]] = {
    "+": [_p("puts in {n} more", "put in {n} more"), _p("adds {n}", "added {n}")],
    "-": [_p("takes out {n}", "took out {n}"), _p("removes {n}", "removed {n}")],
    "*2": [_p("doubles what is inside", "doubled what was inside")],
    "*3": [_p("triples what is inside", "tripled what was inside")],
    "*k": [_p("fills it until it holds {k} times as many", "filled it until it held {k} times as many")],
    "/2": [_p("moves half of them to another {place}", "moved half of them to another {place}")],
    "/k": [_p("shares them out over {k} {place}s equally and keeps only this one's share",
              "shared them out over {k} {place}s equally and kept only this one's share")],
}

MONEY: dict[str, list[tuple[str, str]]] = {
    "+": [_p("earns ${n} babysitting", "earned ${n} babysitting"), _p("earns ${n} mowing lawns", "earned ${n} mowing lawns"),
          _p("gets ${n} as a gift", "got ${n} as a gift"), _p("finds ${n} in an old coat", "found ${n} in an old coat"),
          _p("is paid ${n} for walking dogs", "was paid ${n} for walking dogs")],
    "-": [_p("spends ${n} on a {thing}", "spent ${n} on a {thing}"), _p("pays ${n} for a {thing}", "paid ${n} for a {thing}"),
          _p("gives ${n} to {other}", "gave ${n} to {other}"), _p("spends ${n} on lunch", "spent ${n} on lunch")],
    "/2": [_p("spends half of what is left on a {thing}", "spent half of what was left on a {thing}")],
    "/k": [_p("splits the money into {k} equal shares and keeps one share",
              "split the money into {k} equal shares and kept one share")],
}

VOICES = {"person": PERSON_VOICE, "container": CONTAINER_VOICE, "money": MONEY}


def item(key: str, noun: str | None = None, gain: list | None = None, loss: list | None = None) -> dict:
    """A countable thing: `key` is the one-word spec entity, `noun` the plural as written."""
    return {"key": key, "noun": noun or key, "+": gain or [], "-": loss or []}


ITEMS: list[dict] = [
    item("eggs", gain=[_p("collects {n} more from the hens", "collected {n} more from the hens")],
         loss=[_p("eats {n}", "ate {n}"), _p("bakes with {n}", "baked with {n}"),
               _p("uses {n} in an omelette", "used {n} in an omelette")]),
    item("apples", gain=[_p("picks {n} more", "picked {n} more")],
         loss=[_p("eats {n}", "ate {n}"), _p("uses {n} in a pie", "used {n} in a pie")]),
    item("cookies", gain=[_p("bakes {n} more", "baked {n} more")],
         loss=[_p("eats {n}", "ate {n}"), _p("packs {n} for a picnic and gives them away", "packed {n} for a picnic and gave them away")]),
    item("marbles", gain=[_p("wins {n}", "won {n}")], loss=[_p("loses {n} in a game", "lost {n} in a game")]),
    item("stickers", loss=[_p("sticks {n} on a notebook", "stuck {n} on a notebook")]),
    item("cards", "trading cards", gain=[_p("trades for {n} more", "traded for {n} more")],
         loss=[_p("trades away {n}", "traded away {n}")]),
    item("shells", "seashells", gain=[_p("finds {n} more on the beach", "found {n} more on the beach")]),
    item("books", gain=[_p("buys {n} at a book fair", "bought {n} at a book fair")],
         loss=[_p("donates {n} to the library", "donated {n} to the library")]),
    item("pencils", loss=[_p("lends {n} to classmates for good", "lent {n} to classmates for good")]),
    item("coins", gain=[_p("finds {n} under the sofa", "found {n} under the sofa")],
         loss=[_p("spends {n}", "spent {n}")]),
    item("balloons", gain=[_p("blows up {n} more", "blew up {n} more")], loss=[_p("pops {n}", "popped {n}")]),
    item("stamps", gain=[_p("buys {n} at the post office", "bought {n} at the post office")],
         loss=[_p("uses {n} on letters", "used {n} on letters")]),
    item("cupcakes", gain=[_p("bakes {n} more", "baked {n} more")], loss=[_p("eats {n}", "ate {n}")]),
    item("tomatoes", gain=[_p("picks {n} from the garden", "picked {n} from the garden")],
         loss=[_p("uses {n} in a sauce", "used {n} in a sauce")]),
    item("beads", loss=[_p("threads {n} onto a bracelet", "threaded {n} onto a bracelet")]),
    item("crayons", gain=[_p("gets a pack of {n}", "got a pack of {n}")], loss=[_p("loses {n}", "lost {n}")]),
    item("muffins", gain=[_p("bakes {n} more", "baked {n} more")], loss=[_p("eats {n}", "ate {n}")]),
    item("oranges", loss=[_p("squeezes {n} for juice", "squeezed {n} for juice")]),
    item("strawberries", gain=[_p("picks {n} more", "picked {n} more")], loss=[_p("eats {n}", "ate {n}")]),
    item("carrots", loss=[_p("feeds {n} to the rabbits", "fed {n} to the rabbits")]),
    item("candies", loss=[_p("eats {n}", "ate {n}"), _p("shares {n} with {other}", "shared {n} with {other}")]),
    item("postcards", gain=[_p("receives {n} in the mail", "received {n} in the mail")],
         loss=[_p("mails {n}", "mailed {n}")]),
    item("seeds", gain=[_p("saves {n} more", "saved {n} more")], loss=[_p("plants {n}", "planted {n}")]),
    item("bottles", "bottles of water", loss=[_p("drinks {n}", "drank {n}")]),
    item("photos", gain=[_p("takes {n} more", "took {n} more")], loss=[_p("deletes {n}", "deleted {n}")]),
    item("rocks", "smooth rocks", gain=[_p("finds {n} more by the river", "found {n} more by the river")]),
    item("buttons", loss=[_p("sews {n} onto a coat", "sewed {n} onto a coat")]),
    item("sandwiches", gain=[_p("makes {n} more", "made {n} more")], loss=[_p("eats {n}", "ate {n}")]),
    item("tickets", "raffle tickets", gain=[_p("buys {n} more", "bought {n} more")]),
    item("plants", "potted plants", loss=[_p("gives {n} to the neighbours", "gave {n} to the neighbours")]),
    item("cars", "toy cars", gain=[_p("gets {n} for a birthday", "got {n} for a birthday")]),
    item("pens", loss=[_p("lends out {n} and never gets them back", "lent out {n} and never got them back")]),
    item("peaches", loss=[_p("eats {n}", "ate {n}")]),
    item("lemons", loss=[_p("uses {n} for lemonade", "used {n} for lemonade")]),
    item("bananas", loss=[_p("eats {n}", "ate {n}"), _p("bakes {n} into bread", "baked {n} into bread")]),
    item("ribbons", loss=[_p("ties {n} onto gifts", "tied {n} onto gifts")]),
    item("magnets", "fridge magnets", gain=[_p("brings home {n} from a trip", "brought home {n} from a trip")]),
    item("dumplings", gain=[_p("folds {n} more", "folded {n} more")], loss=[_p("eats {n}", "ate {n}")]),
    item("candles", loss=[_p("burns {n}", "burned {n}")]),
    item("comics", "comic books", gain=[_p("orders {n} more", "ordered {n} more")]),
]

CONTAINERS: list[str] = ["box", "jar", "basket", "crate", "bag", "bucket", "drawer", "bin", "tin", "bowl"]

CROWDS: list[dict] = [
    {"key": "people", "noun": "people", "place": "at the party",
     "+": [_p("{n} more arrive", "{n} more arrived")], "-": [_p("{n} leave", "{n} left")]},
    {"key": "passengers", "noun": "passengers", "place": "on the bus",
     "+": [_p("{n} get on", "{n} got on")], "-": [_p("{n} get off", "{n} got off")]},
    {"key": "students", "noun": "students", "place": "in the library",
     "+": [_p("{n} more come in", "{n} more came in")], "-": [_p("{n} go home", "{n} went home")]},
    {"key": "fans", "noun": "fans", "place": "in the stadium",
     "+": [_p("{n} more take their seats", "{n} more took their seats")], "-": [_p("{n} head out", "{n} headed out")]},
    {"key": "swimmers", "noun": "swimmers", "place": "in the pool",
     "+": [_p("{n} jump in", "{n} jumped in")], "-": [_p("{n} climb out", "{n} climbed out")]},
    {"key": "shoppers", "noun": "shoppers", "place": "in the market",
     "+": [_p("{n} more walk in", "{n} more walked in")], "-": [_p("{n} walk out", "{n} walked out")]},
    {"key": "cars", "noun": "cars", "place": "in the car park",
     "+": [_p("{n} more park", "{n} more parked")], "-": [_p("{n} drive away", "{n} drove away")]},
    {"key": "birds", "noun": "birds", "place": "on the fence",
     "+": [_p("{n} more land", "{n} more landed")], "-": [_p("{n} fly off", "{n} flew off")]},
]

PRODUCTS: list[str] = ["jacket", "lamp", "backpack", "pair of boots", "bicycle helmet", "board game", "kettle",
                       "desk chair", "watch", "rain coat", "blender", "tent", "guitar strap", "sweater",
                       "phone case", "coffee grinder", "scarf", "toaster", "puzzle", "water bottle"]
