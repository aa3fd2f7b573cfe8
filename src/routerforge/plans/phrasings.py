"""How a user signals each need, in many phrasings (written for this project, never taken from or
tuned on a benchmark). The policy data (`plans.policy_data`) builds a query from one clause per need;
the phrasing banks are split by `partition` into train / val / test phrasings, so the held-out
test split asks for the same needs in words the router never saw.

Slots: `{m}` what to derive (a theme's `math` phrase), `{c}` what to implement (`code`), `{s}` what
to look up (`search`), `{theme}`, `{fw}` a framework, `{metric}` the code's primary metric.

Some phrasings are deliberate contrasts: "look up a published derivation of {m}" is a search need
(not math), "write unit tests" inside a code clause is not a check loop, "prove" is math.
"""

from __future__ import annotations

SEARCH = [
    "put together a bibliography on {s}", "find me the key papers on {s}", "what are the standard references for {s}",
    "pull up recent conference papers on {s}", "source some credible material on {s}", "assemble an annotated list of papers on {s}",
    "look for survey articles covering {s}", "check Google Scholar for {s}", "summarise published findings on {s} with references",
    "find where {m} is proved in the literature", "identify recent preprints that discuss {s}", "gather expert commentary on {s}",
    "look into the history of {s} and cite sources", "search the documentation and forums about {c}",
    "find empirical studies reporting {metric} for {c}", "get citations that back up claims about {s}",
    "retrieve background material on {s} from our course wiki", "look up the canonical textbook chapter on {s}",
    "find out what the research community says about {s}", "collect links to tutorials on {s}",
    "search the web for the latest numbers on {s}", "find and cite a review of {s}",
    "locate the original source of {m}", "look up reported results for {c}", "hunt for recent work on {s}",
    "find papers that derive {m}", "look up published proofs of {m}", "cite the paper that first established {m}",
    "find open-source code for {c} and cite it", "search for existing implementations of {c}",
    "gather references that analyse {m}", "find textbook treatments of {m} with page references",
    "look up the reported {metric} of {c} in recent papers", "list the main sources that discuss {m}",
    "find recent arXiv preprints about {s}", "locate peer-reviewed sources on {s}", "browse the web for discussions of {s}",
    "gather evidence from published studies on {s}", "identify the seminal references on {s}",
    "look into how others have reported {metric} for {c}", "fetch the documentation of tools for {c}",
    "read up on {s} and summarise the sources", "retrieve the key equations for {m} from a textbook, with citations",
    "find out which conferences published work on {s}", "scan recent literature for {s}",
    "survey recent papers on {s}", "find the latest results on {s}", "cite two or three authoritative sources on {s}",
    "look up what the literature says about {s}", "gather up-to-date references on {s}",
    "search arXiv for recent work on {s}", "collect citations on {s}", "check the current state of the art in {s}",
    "find a published derivation of {m} and cite it", "look up reference implementations of {c}",
    "pull the relevant passages on {s} from the course notes", "search our lecture notes and the web for {s}",
    "find benchmark numbers that others report for {s}", "dig up the original paper on {s}",
    "review the key publications on {s} with links", "find out what practitioners currently recommend for {s}",
    "look for recent blog posts and papers comparing approaches to {s}", "get me sources on {s} that I can cite",
    "do a literature search on {s}", "track down the best-known published constants for {m}",
    "search the course knowledge base for {s}", "find authoritative references, with DOIs, on {s}",
    "compile a short reading list on {s}", "check which open-source libraries support {c}",
    "research how {s} is handled in recent work", "find what the newest survey articles say about {s}",
]
MATH = [
    "give a proof that {m} holds", "carry out the algebra for {m}", "derive a formula for {m}",
    "mathematically justify {m}", "produce a derivation of {m} with each step explained", "prove rigorously {m}",
    "use a formal argument to obtain {m}", "compute {m} symbolically and simplify", "write the math behind {m}",
    "solve {m} analytically", "prove or disprove {m}", "reason through the proof of {m}", "derive {m} via Lagrange multipliers",
    "state the assumptions and derive {m}", "show by induction {m}", "find the closed-form expression for {m}",
    "provide the theoretical derivation of {m}", "derive tight bounds on {m}", "do the pen-and-paper analysis of {m}",
    "analyse the asymptotics of {m}", "work through the calculus of {m}", "explain mathematically and derive {m}",
    "derive {m} using linear algebra", "formally verify the derivation of {m}", "prove {m} with a clean argument",
    "derive the time complexity of {c}", "prove that {c} converges", "analyse the stability of {c} mathematically",
    "work out the expected {metric} of {c} analytically", "derive the update equations behind {c}",
    "prove a lower bound that any method like {c} must satisfy",
    "formulate {m} precisely and prove it", "calculate {m} exactly", "provide a mathematical proof of {m}",
    "derive an upper bound for {m}", "analyse {m} theoretically", "sketch the derivation of {m} with full algebra",
    "verify {m} by an analytical derivation", "express {m} in terms of the model parameters",
    "give an asymptotic analysis of {m}", "check the algebra behind {m} by deriving it", "find a closed-form solution for {m}",
    "derive {m}", "prove {m}", "work out {m} analytically", "give a rigorous derivation of {m}",
    "formally derive {m}", "obtain {m} in closed form", "do the math for {m} step by step",
    "write out a proof of {m}", "establish {m} mathematically", "analytically characterise {m}",
    "show mathematically {m}", "compute {m} by hand", "set up and solve the equations for {m}",
    "give a formal argument for {m}", "derive and simplify {m}", "prove a tight bound related to {m}",
    "work through the theory behind {m}", "find an analytical expression for {m}",
    "do a careful derivation of {m}, checking each step", "state and prove {m}",
    "use calculus and linear algebra to derive {m}", "reason out {m} from first principles",
    "carry out the derivation of {m} with all assumptions stated", "give the mathematical justification of {m}",
    "derive {m} symbolically", "solve for {m} on paper",
]
CODE = [
    "write a {fw} implementation of {c}", "build a working {c}", "implement {c} and measure {metric}",
    "code a fast version of {c}", "create a {fw} script for {c}", "run {c} end to end on synthetic data",
    "develop and test {c}", "write production-quality code for {c}", "get {c} running in {fw}",
    "implement {c} and include a test suite", "produce a runnable implementation of {c}", "simulate {c} for many random seeds",
    "code {c} and visualise {metric}", "write a small package implementing {c}", "train and evaluate {c}",
    "benchmark {c} against a baseline in {fw}", "port {c} to {fw}", "write a GPU kernel for {c}",
    "implement {c} with logging of {metric}", "program and debug {c}", "make {c} work on real hardware",
    "implement a reference version of {c}", "experiment with {c} in {fw}", "run a parameter sweep of {c}",
    "build a reproducible pipeline around {c}",
    "numerically evaluate {m} in {fw}", "write code that computes {m} for random instances",
    "simulate the setting of {m} and measure {metric}", "check {m} numerically with a {fw} script",
    "estimate {m} by Monte Carlo in {fw}", "write a program that plots {m} against the model size",
    "implement and test {c} in {fw}", "write code that simulates {c}", "run a Monte Carlo simulation of {c}",
    "build {c} as a small {fw} library", "code {c} and benchmark its speed", "write a GPU-ready {fw} version of {c}",
    "make a working demo of {c}", "script an experiment that trains {c}", "program a simulation of {c} and plot {metric}",
    "implement {c}, then time it on large inputs", "write a command-line tool that runs {c}",
    "implement {c} in {fw}", "write {fw} code for {c}", "simulate {c}", "benchmark {c} in {fw}",
    "build a {fw} prototype of {c}", "code up {c}", "write a script that runs {c} and logs {metric}",
    "train {c} and report {metric}", "program {c} with unit tests", "profile {c} on a GPU",
    "run experiments with {c}", "write a tested {fw} implementation of {c}", "implement {c} from scratch",
    "create a runnable notebook with {c}", "measure {metric} of {c} empirically", "develop {c} in {fw} and plot the results",
    "write an efficient vectorised version of {c}", "set up a reproducible experiment with {c}",
    "put together working code for {c}", "run a numerical experiment using {c}",
    "implement {c} and compare it against a library baseline", "write a {fw} module for {c} with tests",
    "execute {c} on synthetic data and record {metric}", "build and run {c}",
    "turn {c} into a working program", "prototype {c} and time it",
]
CHECK = [
    "then have the results double-checked against the formula", "audit whether the code's {metric} matches the analysis",
    "verify agreement between the experiment and the proof", "compare the program output with the closed-form result",
    "check the measured values against the analytical ones", "confirm the numbers match the theory within tolerance",
    "run a mathematical audit of the experimental results", "verify the final numbers against the derivation before answering",
    "cross-validate the simulation against the theory", "examine whether the results are consistent with the math",
    "verify the code's numbers against the derivation", "check whether the empirical {metric} matches the prediction",
    "audit the simulation output against the theoretical result", "confirm that the program's output agrees with the proof",
    "validate the experimental findings against the math", "have the math agent review whether the measurements fit the theory",
    "verify that the measured {metric} agrees with the theory", "audit the empirical results against the derivation",
    "double-check that the simulation matches the analytical prediction",
    "have the numbers checked against the closed-form answer", "confirm mathematically that the outputs are consistent",
    "cross-check the code's output with the math", "sanity-check the experimental {metric} against the theoretical value",
    "make sure the results agree with what the theory predicts", "validate the implementation against the derived formula",
    "compare the empirical curves with the analytical bound and explain any gap",
    "check that the reported {metric} is consistent with the derivation", "audit the outputs for agreement with theory",
    "reconcile the measured behaviour with the theoretical analysis", "test the results against the math before reporting",
    "confirm the experiment reproduces the predicted scaling", "verify the numerical results against the analysis",
]
REFINE = [
    "update the implementation until it passes the audit", "fix whatever the check flags and rerun",
    "iterate until code and theory agree", "revise the implementation after the review",
    "keep correcting the code until the numbers line up", "rewrite the failing parts of the code and re-check",
    "revise and rerun the code until the audit is clean", "improve the program until its output matches the derivation",
    "go back and fix the code if they disagree", "repeat the implementation step with corrections until it checks out",
    "iterate on the code until the check passes", "fix the implementation wherever it disagrees and rerun it",
    "revise the code based on that audit", "refine the implementation until both agree",
    "correct any bug the check reveals and run the experiment again", "update the code and repeat until the numbers match",
    "patch the program if the verification fails and re-verify", "keep improving the implementation until it agrees",
    "loop back and repair the code if anything is off", "rework the implementation to close any gap",
    "adjust the code after the review and rerun", "debug and resubmit the code until it passes",
]
FALLBACK = [
    "if the check fails, consult external sources", "if there's disagreement, look up the literature",
    "if the results are off, search for known explanations", "if it fails, research the cause online",
    "if the comparison fails, gather references on why", "if they don't agree, search for similar reports",
    "if the check fails, look up how others resolved it", "if it does not agree, find sources that explain why",
    "if the results conflict, search the literature before trying again", "if there's a mismatch, find documented explanations online",
    "if they disagree, look up known pitfalls in the literature", "if the verification fails, search for what others report",
    "should the check fail, consult recent papers for the cause", "if it doesn't match, find references that explain the discrepancy",
    "if something is off, research known issues online", "in case of a mismatch, search for documented failure modes",
    "if the numbers don't line up, find published explanations", "if the audit fails, dig through the literature for fixes",
    "when the results disagree, look for errata or discussions", "if there is a discrepancy, search for similar reported problems",
    "if the check does not pass, gather sources on why", "if that fails, find out online what usually goes wrong",
]
# One sentence of context (role `other`) per difficulty level; it carries the difficulty signal.
CONTEXT = {
    "introductory": [
        "I'm new to {theme} and want to learn it properly.", "This is for an introductory course on {theme}.",
        "I only know the basics, so keep it accessible.", "Please explain things as if to a first-year student.",
        "I'm a beginner trying to understand {theme}.", "It's for a friendly tutorial on {theme}.",
        "I have just started studying {theme}.", "Keep it beginner-friendly.",
        "I'm teaching myself {theme} from scratch.", "Treat me as a newcomer to {theme}.",
        "I'm a high-school student curious about {theme}.", "Please avoid heavy jargon.",
        "This is my first encounter with {theme}.", "I am switching fields and {theme} is new to me.",
        "Explain it gently, I'm just starting out.", "It's for an intro workshop on {theme}.",
    ],
    "intermediate": [
        "This is for an upper-level undergraduate project on {theme}.", "I know the standard material on {theme}.",
        "It's for a course project, so some rigour is expected.", "I'm comfortable with the basics of {theme}.",
        "This is part of a homework set for a second course in {theme}.", "Aim at an advanced undergraduate level.",
        "I'm preparing a class presentation on {theme}.", "Our study group covers {theme} this week.",
        "I have taken one course on {theme} already.", "Assume solid undergraduate background.",
        "I'm a master's student working on {theme}.", "Some rigour is fine, but keep it practical.",
        "This is for a capstone project on {theme}.", "I know linear algebra and probability well.",
        "The audience is third-year students.", "I've used {theme} in a class before.",
    ],
    "advanced": [
        "This is for graduate-level research on {theme}.", "I need full rigour, at the level of a research paper.",
        "It's part of my PhD thesis on {theme}.", "Assume expert knowledge of {theme}.",
        "This feeds into a paper submission on {theme}.", "Treat it as a graduate seminar problem.",
        "We work on {theme} at a research lab.", "Expect competition-level difficulty.",
        "This is a qualifying-exam style question on {theme}.", "I want a publication-grade treatment.",
        "Our group publishes on {theme}.", "Assume the reader is an expert reviewer.",
        "This is for a postdoc project on {theme}.", "Treat it at the level of a top-venue paper.",
        "We are pushing the state of the art in {theme}.", "It should survive a rigorous peer review.",
    ],
}
# Sentences with no need in them (role `other`): deadlines, formatting, audience.
NOISE = [
    "The results go into a report for my advisor.", "Use clear notation throughout.", "The deadline is next week.",
    "Please keep the write-up short.", "I will present this to my team.", "Explain the key ideas as you go.",
    "Assume a standard laptop for any computation.", "Make the final answer self-contained.",
    "We care more about correctness than speed.", "Structure the answer with headings.",
    "This is for a reading group on {theme}.", "I'm curious about {theme} in general.",
    "Our company builds products around {theme}.", "My background is in physics rather than {theme}.",
    "I have read a few papers on {theme} already.", "Use SI units where they apply.",
    "Please be explicit about every assumption.", "My supervisor asked for this by Monday.",
    "I'm working on this with two classmates.", "Our lab focuses on {theme}.", "We have a small compute budget.",
    "The write-up will be graded.", "My team works on {theme} at a startup.", "I'll share the result with my students.",
    "We are a research group studying {theme}.", "I have a week for this.", "Formatting matters less than content.",
    "Our department runs a seminar on {theme}.", "Keep the notation consistent with standard texts.",
    "I work in industry on {theme}.",
]
OPENERS = ["", "", "", "Please ", "Can you ", "Could you ", "I need you to ", "Help me ", "I'd like you to ",
           "For my project, ", "Quick task: ", "I want to ", "My goal: ", "Task: ", "We need to "]
THEN = ["then", "after that", "next", "and then", "afterwards", "following that", "once that's done,",
        "and after that", "subsequently", "then also"]
FINALLY = ["finally", "and finally", "lastly", "to finish,", "at the end,", "as a last step,", "and to wrap up,"]
BEFORE = ["but first", "before that,", "but before anything else", "though first"]

# Composed phrasings: a verb, the subject and a modifier. Verbs and modifiers are held out separately
# (`plans.policy_data.split_pools`), so the test split meets verbs and modifiers the router never saw.
VERBS = {
    "search": ["survey", "look up", "find sources on", "gather references on", "collect papers on", "research",
               "review the literature on", "search for", "dig up work on", "track down publications on",
               "consult the references on", "fetch articles about", "scan the literature for", "read up on",
               "locate citations for", "find reviews of", "investigate what is published on", "catalogue sources on"],
    "math": ["derive", "prove", "compute", "obtain", "establish", "calculate", "work out", "formalise",
             "determine", "solve for", "characterise", "deduce", "demonstrate", "bound", "justify",
             "give the derivation of", "find the exact form of", "write down the proof of"],
    "code": ["implement", "code up", "program", "simulate", "benchmark", "build", "prototype", "write",
             "train", "run", "develop", "profile", "engineer", "script", "deploy a test harness for",
             "put into code", "make a runnable version of", "set up code for"],
}
MODS = {
    "search": ["", " with citations", " from recent arXiv papers", " in the literature", " online",
               " from the course notes", " with links", " from authoritative sources", " published in the last few years",
               " in standard textbooks", " on the web and in our lecture notes", " and cite them"],
    "math": ["", " in closed form", " step by step", " rigorously", " on paper", " analytically",
             " with every assumption stated", " from first principles", " symbolically", " as a formal proof",
             " with full algebra", " theoretically"],
    "code": ["", " in {fw}", " with unit tests", " and plot {metric}", " on a GPU", " and log {metric}",
             " as a runnable script", " and time it", " with vectorised {fw} code", " from scratch",
             " and report {metric}", " in a notebook"],
}
SUBJECT = {"search": "{s}", "math": "{m}", "code": "{c}"}
