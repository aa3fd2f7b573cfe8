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


# ---------------------------------------------------------------- multi-step stories (products, rates, shares)
# How each countable item comes in groups: item key -> [(singular, plural), ...]. Only items listed here
# are used by the group stories; they are drawn from the same `items` pool, so held-out items stay held out.
GROUPS: dict[str, list[tuple[str, str]]] = {
    "eggs": [("carton", "cartons"), ("tray", "trays"), ("box", "boxes")],
    "apples": [("bag", "bags"), ("box", "boxes"), ("crate", "crates"), ("basket", "baskets")],
    "cookies": [("tin", "tins"), ("box", "boxes"), ("tray", "trays"), ("jar", "jars")],
    "marbles": [("bag", "bags"), ("jar", "jars"), ("tube", "tubes")],
    "stickers": [("sheet", "sheets"), ("pack", "packs"), ("book", "books")],
    "cards": [("pack", "packs"), ("box", "boxes")],
    "books": [("box", "boxes"), ("shelf", "shelves"), ("crate", "crates")],
    "pencils": [("pack", "packs"), ("box", "boxes"), ("case", "cases")],
    "coins": [("bag", "bags"), ("roll", "rolls"), ("jar", "jars")],
    "balloons": [("pack", "packs"), ("bag", "bags")],
    "stamps": [("sheet", "sheets"), ("book", "books"), ("strip", "strips")],
    "cupcakes": [("box", "boxes"), ("tray", "trays")],
    "tomatoes": [("crate", "crates"), ("basket", "baskets"), ("box", "boxes")],
    "beads": [("bag", "bags"), ("tube", "tubes"), ("string", "strings")],
    "crayons": [("box", "boxes"), ("pack", "packs")],
    "muffins": [("tray", "trays"), ("box", "boxes"), ("basket", "baskets")],
    "oranges": [("bag", "bags"), ("crate", "crates"), ("net", "nets")],
    "strawberries": [("punnet", "punnets"), ("basket", "baskets"), ("tub", "tubs")],
    "carrots": [("bunch", "bunches"), ("bag", "bags")],
    "candies": [("bag", "bags"), ("jar", "jars"), ("box", "boxes")],
    "postcards": [("pack", "packs"), ("set", "sets")],
    "seeds": [("packet", "packets"), ("tray", "trays")],
    "bottles": [("pack", "packs"), ("case", "cases"), ("crate", "crates")],
    "buttons": [("card", "cards"), ("tin", "tins"), ("bag", "bags")],
    "sandwiches": [("tray", "trays"), ("platter", "platters"), ("box", "boxes")],
    "tickets": [("book", "books"), ("strip", "strips"), ("roll", "rolls")],
    "cars": [("box", "boxes"), ("set", "sets")],
    "pens": [("pack", "packs"), ("box", "boxes")],
    "peaches": [("box", "boxes"), ("crate", "crates"), ("basket", "baskets")],
    "lemons": [("bag", "bags"), ("net", "nets"), ("crate", "crates")],
    "bananas": [("bunch", "bunches"), ("box", "boxes")],
    "ribbons": [("pack", "packs"), ("box", "boxes")],
    "dumplings": [("tray", "trays"), ("steamer", "steamers"), ("bag", "bags")],
    "candles": [("box", "boxes"), ("pack", "packs")],
    "comics": [("box", "boxes"), ("stack", "stacks")],
}

# a group phrase: {k} groups, {m} items each; the product is always k*m in the order they are written
GROUP_PHRASES: list[str] = [
    "{k} {groups} of {m} {noun}", "{k} {groups} with {m} {noun} each", "{k} {groups} with {m} {noun} in each",
    "{k} {groups}, each holding {m} {noun}", "{k} {groups} of {noun} with {m} in each",
]

# step phrases of the multi-step stories, (present, past). {n} a count; {k} groups of {m}; {frac} a fraction
# word ("a quarter"); {pct} a percentage (25); {other} another person; {them} the noun or "them"
GROUP_STEPS: dict[str, list[tuple[str, str]]] = {
    "+": [("buys {n} more", "bought {n} more"), ("gets {n} more from {other}", "got {n} more from {other}"),
          ("is given {n} more", "was given {n} more"), ("adds {n} more", "added {n} more")],
    "-": [("gives away {n}", "gave away {n}"), ("gives {n} to {other}", "gave {n} to {other}"),
          ("sells {n}", "sold {n}"), ("loses {n}", "lost {n}")],
    "+k*m": [("buys {k} {groups} of {m} {noun}", "bought {k} {groups} of {m} {noun}"),
             ("gets {k} {groups} with {m} {noun} in each", "got {k} {groups} with {m} {noun} in each"),
             ("is given {k} {groups} of {m} {noun} by {other}", "was given {k} {groups} of {m} {noun} by {other}")],
    "-r*t": [("uses {r} a day for {t} days", "used {r} a day for {t} days"),
             ("gives away {r} a week for {t} weeks", "gave away {r} a week for {t} weeks"),
             ("sells {r} a day for {t} days", "sold {r} a day for {t} days")],
    "frac": [("gives away {frac} of {them}", "gave away {frac} of {them_past}"),
             ("gives {frac} of {them} to {other}", "gave {frac} of {them_past} to {other}"),
             ("sells {frac} of {them}", "sold {frac} of {them_past}"), ("loses {frac} of {them}", "lost {frac} of {them_past}")],
    "pct": [("sells {pct}% of {them}", "sold {pct}% of {them_past}"),
            ("gives away {pct}% of {them}", "gave away {pct}% of {them_past}"),
            ("gives {pct} percent of {them} to {other}", "gave {pct} percent of {them_past} to {other}")],
    "half": [("gives half of {them} to {other}", "gave half of {them_past} to {other}"),
             ("sells half of {them}", "sold half of {them_past}")],
}

# fractions a story takes away, with the fraction that remains written as a terminating decimal
FRACTIONS: list[tuple[str, int, int]] = [  # (word, numerator, denominator) of the part taken away
    ("a quarter", 1, 4), ("one quarter", 1, 4), ("a fifth", 1, 5), ("one fifth", 1, 5), ("a tenth", 1, 10),
    ("three quarters", 3, 4), ("two fifths", 2, 5), ("three fifths", 3, 5), ("three tenths", 3, 10),
]
PERCENT_OFF: list[int] = [10, 20, 25, 30, 40, 50, 60, 75, 80, 90]

# the people a share is split among, (plural, "each ..." singular)
SHARERS: list[tuple[str, str]] = [
    ("friends", "friend"), ("children", "child"), ("classmates", "classmate"), ("neighbours", "neighbour"),
    ("cousins", "cousin"), ("teammates", "teammate"), ("students", "student"), ("guests", "guest"),
]
# splitting items into containers, (plural, singular)
BINS: list[tuple[str, str]] = [("bags", "bag"), ("boxes", "box"), ("bowls", "bowl"), ("tins", "tin"),
                               ("baskets", "basket"), ("jars", "jar")]
# small things bought on the side
EXTRAS: list[str] = ["snack", "drink", "map", "magazine", "keyring", "postcard", "bottle of water", "pen"]

# things a person buys several of, (singular, plural)
GOODS: list[tuple[str, str]] = [
    ("ticket", "tickets"), ("notebook", "notebooks"), ("comic book", "comic books"), ("sandwich", "sandwiches"),
    ("bus pass", "bus passes"), ("T-shirt", "T-shirts"), ("cinema ticket", "cinema tickets"),
    ("plant pot", "plant pots"), ("paintbrush", "paintbrushes"), ("coffee", "coffees"), ("pizza", "pizzas"),
    ("bag of rice", "bags of rice"), ("phone charger", "phone chargers"), ("museum pass", "museum passes"),
    ("pair of socks", "pairs of socks"), ("box of tea", "boxes of tea"), ("toy train", "toy trains"),
    ("concert ticket", "concert tickets"), ("bottle of juice", "bottles of juice"), ("candle", "candles"),
]

# money step phrases; {c} a formatted amount, {k} {goods} at {p} each, {r} per {unit} for {t} {units}
MONEY_STEPS: dict[str, list[tuple[str, str]]] = {
    "+": [("earns {c} babysitting", "earned {c} babysitting"), ("gets {c} as a gift", "got {c} as a gift"),
          ("is paid {c} for walking dogs", "was paid {c} for walking dogs"),
          ("finds {c} in a coat pocket", "found {c} in a coat pocket")],
    "-": [("spends {c} on lunch", "spent {c} on lunch"), ("pays {c} for a {thing}", "paid {c} for a {thing}"),
          ("gives {c} to {other}", "gave {c} to {other}"), ("spends {c} on a {thing}", "spent {c} on a {thing}")],
    "-k*p": [("buys {k} {goods} at {p} each", "bought {k} {goods} at {p} each"),
             ("buys {k} {goods} for {p} each", "bought {k} {goods} for {p} each"),
             ("pays for {k} {goods} that cost {p} apiece", "paid for {k} {goods} that cost {p} apiece")],
    "-p*k": [("pays {p} each for {k} {goods}", "paid {p} each for {k} {goods}"),
             ("spends {p} a piece on {k} {goods}", "spent {p} a piece on {k} {goods}")],
    "+r*t": [("earns {r} an hour for {t} hours", "earned {r} an hour for {t} hours"),
             ("makes {r} per hour tutoring for {t} hours", "made {r} per hour tutoring for {t} hours")],
    "+t*r": [("works {t} hours at {r} an hour", "worked {t} hours at {r} an hour"),
             ("tutors for {t} hours at {r} per hour", "tutored for {t} hours at {r} per hour")],
    "frac": [("spends {frac} of {it} on a {thing}", "spent {frac} of {it_past} on a {thing}"),
             ("gives {frac} of {it} to {other}", "gave {frac} of {it_past} to {other}")],
    "pct": [("spends {pct}% of {it} on a {thing}", "spent {pct}% of {it_past} on a {thing}"),
            ("donates {pct}% of {it} to charity", "donated {pct}% of {it_past} to charity")],
    "half": [("spends half of {it} on a {thing}", "spent half of {it_past} on a {thing}")],
}

# starting money that is earned at a rate: (present, past); the factors are in the order written
MONEY_RATE_STARTS: list[tuple[str, str, str]] = [  # (order, present, past)
    ("r*t", "earns {r} an hour for {t} hours", "earned {r} an hour for {t} hours"),
    ("t*r", "works {t} hours at {r} an hour", "worked {t} hours at {r} an hour"),
    ("r*t", "is paid {r} per hour and works {t} hours", "was paid {r} per hour and worked {t} hours"),
    ("r*t", "saves {r} a week for {t} weeks", "saved {r} a week for {t} weeks"),
    ("r*t", "puts aside {r} a week for {t} weeks", "put aside {r} a week for {t} weeks"),
    ("t*r", "spends {t} hours babysitting at {r} an hour", "spent {t} hours babysitting at {r} an hour"),
    ("r*t", "gets {r} a day in pocket money for {t} days", "got {r} a day in pocket money for {t} days"),
]

# amounts that build up or run down at a rate; {r} per unit for {t} units
RATE_SCENES: list[dict] = [
    {"key": "pages", "sign": "-", "start": ("{Name}'s book has {start} pages.", "{Name}'s book had {start} pages."),
     "rate": ("{Name} reads {r} pages a day for {t} days", "{Name} read {r} pages a day for {t} days"),
     "more": ("reads another {n} pages", "read another {n} pages"),
     "q": ("How many pages are left to read?", "How many pages were left to read?")},
    {"key": "litres", "sign": "-", "start": ("A tank holds {start} litres of water.", "A tank held {start} litres of water."),
     "rate": ("a pump drains {r} litres a minute for {t} minutes", "a pump drained {r} litres a minute for {t} minutes"),
     "more": ("a leak loses another {n} litres", "a leak lost another {n} litres"),
     "q": ("How many litres are left in the tank?", "How many litres were left in the tank?")},
    {"key": "km", "sign": "-", "start": ("A hiking trail is {start} km long.", "A hiking trail was {start} km long."),
     "rate": ("{Name} walks {r} km a day for {t} days", "{Name} walked {r} km a day for {t} days"),
     "more": ("walks a further {n} km", "walked a further {n} km"),
     "q": ("How many km of the trail are still to go?", "How many km of the trail were still to go?")},
    {"key": "flyers", "sign": "-", "start": ("There are {start} flyers to hand out.", "There were {start} flyers to hand out."),
     "rate": ("{Name} hands out {r} flyers an hour for {t} hours", "{Name} handed out {r} flyers an hour for {t} hours"),
     "more": ("{other} hands out {n} more", "{other} handed out {n} more"),
     "q": ("How many flyers are left?", "How many flyers were left?")},
    {"key": "points", "sign": "+",
     "start": ("{Name}'s team starts the game with {start} points.", "{Name}'s team started the game with {start} points."),
     "rate": ("it scores {r} points a round for {t} rounds", "it scored {r} points a round for {t} rounds"),
     "more": ("it earns a bonus of {n} points", "it earned a bonus of {n} points"),
     "q": ("How many points does the team have now?", "How many points did the team finish with?")},
    {"key": "litres", "sign": "+", "start": ("A pool has {start} litres of water in it.", "A pool had {start} litres of water in it."),
     "rate": ("a hose adds {r} litres a minute for {t} minutes", "a hose added {r} litres a minute for {t} minutes"),
     "more": ("{Name} pours in another {n} litres", "{Name} poured in another {n} litres"),
     "q": ("How many litres are in the pool now?", "How many litres were in the pool at the end?")},
]
# amounts produced at a rate from nothing: "{r} {noun} {per} for {t} {units}" (present, past), then used
PRODUCTION: list[dict] = [
    {"key": "loaves", "who": "A bakery",
     "make": ("bakes {r} loaves an hour for {t} hours", "baked {r} loaves an hour for {t} hours"),
     "use": ("sells {n}", "sold {n}"), "q": ("How many loaves are left?", "How many loaves were left?")},
    {"key": "eggs", "who": "A farm's hens",
     "make": ("lay {r} eggs a day for {t} days", "laid {r} eggs a day for {t} days"),
     "use": ("{n} are sold at the market", "{n} were sold at the market"),
     "q": ("How many eggs are left?", "How many eggs were left?")},
    {"key": "chairs", "who": "A workshop",
     "make": ("builds {r} chairs a day for {t} days", "built {r} chairs a day for {t} days"),
     "use": ("ships {n} to a school", "shipped {n} to a school"),
     "q": ("How many chairs does it still have?", "How many chairs did it still have?")},
    {"key": "jars", "who": "A jam maker",
     "make": ("fills {r} jars an hour for {t} hours", "filled {r} jars an hour for {t} hours"),
     "use": ("sells {n} at a fair", "sold {n} at a fair"), "q": ("How many jars are left?", "How many jars were left?")},
    {"key": "km", "who": "{Name}", "sign": "+",
     "make": ("cycles {r} km an hour for {t} hours", "cycled {r} km an hour for {t} hours"),
     "use": ("then walks {n} km", "then walked {n} km"),
     "q": ("How many km does {pron} cover in all?", "How many km did {pron} cover in all?")},
    {"key": "scarves", "who": "{Name}",
     "make": ("knits {r} scarves a month for {t} months", "knitted {r} scarves a month for {t} months"),
     "use": ("gives {n} to a charity shop", "gave {n} to a charity shop"),
     "q": ("How many scarves does {pron} have left?", "How many scarves did {pron} have left?")},
]

NUMBER_WORDS: dict[int, str] = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                                9: "nine", 10: "ten", 12: "twelve"}
