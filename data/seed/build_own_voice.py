"""Write ``data/seed/own_voice.jsonl``: firm words that are not persuasion because the speaker
is speaking for themselves, and, beside them, others joining a push, each after the turn it
answers (written for dialogic, not recorded).

A role-blind tagger (dialogic-tagger-v5, docs/tagger-v5-notes.md) fired persuasion on 5.7 % of
service users' utterances that the codebook codes no: refusals, pleas and insistence about the
speaker's own care. v3 could lean on the role token for these; a model that never reads the
role must learn from the words that "I've said no and I mean it" states the speaker's own wish
(codebook, persuasion, "code no": a wish is not pressure on someone else), while "your mum's
right, you have to take it" pushes. The older corpus files and data/seed/rules.jsonl hold few
such utterances (rules.jsonl's `persuasion-own_wish` has five clauses, all calm).

This generator has its own phrase tables, written apart from build_rules.py and build_corpus.py,
by codebook rule:

- ``persuasion-own_refusal``: the speaker refuses something for themselves, insistently, often
  after being pushed ("I've told you three times, I'm not taking it");
- ``persuasion-own_plea``: the speaker begs for what they want for themselves ("please, I just
  want to go home"). For these two `option_discussion` is left unjudged: a refusal may name the
  course the speaker wants instead;
- ``persuasion-ask_to_be_heard``: the speaker asks to be listened to or given time, without
  steering anyone's decision;
- ``persuasion-pressure_reported``: the speaker tells of pressure someone put on them before; a
  report of a push is not a push. Whether it is self-disclosure depends on who says it, so
  `peer_self_disclosure` is left unjudged;
- ``persuasion+join_push`` (code yes): another person backs a push just made, insisting,
  pleading or stating consequences, after the same pushes that stand before the refusals, so the
  preceding turn does not give the label away.

Forms: family A written (full sentences), family B spoken (rendered by build_realistic.py's
`spoken`), and a fifth of family A through build_rules.py's `asr_noise`. Split 70/15/15 by frame
(rule × family × clause) with a stable hash; texts equal to a held-out, codebook or other corpus
utterance (the rules set data/heldout/rules.jsonl included), near copies of a held-out or
codebook one (build_rules.py's checks), and rows that share a run of five words with any
held-out or codebook utterance are dropped.
Deterministic: ``python data/seed/build_own_voice.py``.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_realistic import norm, spoken  # noqa: E402  (same folder, scripts)
from build_rules import _checks, _known_texts, asr_noise, keep_new, write_rows  # noqa: E402

OUT = HERE / "own_voice.jsonl"
SEED = 20261207
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
P, O, E, D = TAGS

SLOTS = {
    "{treatment}": ["the risperidone", "the aripiprazole", "the jab", "the quetiapine", "these tablets", "the lithium"],
    "{setting}": ["the ward", "hospital", "the crisis unit", "that place", "the inpatient unit"],
    "{thing}": ["the support group", "the work placement", "the hostel", "the art therapy", "the recovery college"],
    "{person}": ["Dr Okafor", "Jo", "Marek", "Priya", "Sam", "Bethan", "Kwame"],
}

# Turns that push, said by a clinician or a relative; they stand before refusals and before
# others joining in alike.
PUSHES = [
    "You need to keep taking {treatment}, there's no way round it.",
    "If you don't go into {setting} tonight, we'll have to think about an assessment.",
    "Please, love, just do what the doctor says this time.",
    "I'm going to be honest, stopping {treatment} would be a big mistake.",
    "we really think {setting} is the safest place for you right now",
    "you have to give {thing} a go you can't just sit at home",
    "Last time you stopped, you were in {setting} for two months.",
]
QUESTIONS = [
    "What do you make of all this?",
    "How do you feel about {treatment}?",
    "Where are you with {thing} at the moment?",
    "is there anything you want to say",
    "What would help most right now?",
]
NEUTRALS = [
    "The team meets again on Thursday.",
    "So {person} will write up the notes after today.",
    "okay we've got about ten minutes left",
    "Your next review is in a fortnight.",
]

RULES: dict[str, dict] = {
    "persuasion-own_refusal": dict(
        tags=set(),
        unjudged={O},
        leads=[PUSHES, PUSHES, QUESTIONS],
        roles=["service_user"],
        a=[
            "I've told you three times now, I'm not taking {treatment}.",
            "No. I'm not going to {setting}, and nothing you say will change that.",
            "I'm stopping {treatment}, I've made my decision and I'm sticking to it.",
            "I hear what you're all saying, but I'm still not going to {thing}.",
            "I won't be having the injection, full stop.",
            "I've said it before and I'll say it again, I don't want {treatment} any more.",
            "My answer is no, I'm staying at home.",
            "I'm not changing my mind about {setting}, I've thought about it for weeks.",
            "I don't care what the plan says, I'm not going back on {treatment}.",
            "It's my body and I'm not putting {treatment} in it any more.",
            "I'm done with {thing}, I'm not going again.",
        ],
        b=[
            "no i said no i'm not taking {treatment} and that's it",
            "i'm not going to {setting} i'm not i'm just not",
            "i don't want it i've said it like a hundred times",
            "look i'm not doing {thing} i've decided and that's that",
            "no way am i going back in {setting} no way",
            "i'm not having the jab end of",
            "i've decided i'm coming off {treatment} whatever anyone says",
        ],
    ),
    "persuasion-own_plea": dict(
        tags=set(),
        unjudged={O},
        leads=[PUSHES, QUESTIONS, NEUTRALS],
        roles=["service_user"],
        a=[
            "Please, I just want to go home, I can't face {setting} again.",
            "I'm begging you, don't put me back on {treatment}.",
            "Please don't make me go to {setting}, I'll be so much worse there.",
            "I really, really want to try without {treatment}, please.",
            "All I'm asking is to be back in my own flat by the weekend, please.",
            "Please let me have a go at {thing} on my own terms.",
            "I need to be at home with my kids, please, that's all I'm asking.",
        ],
        b=[
            "please i just wanna go home please",
            "i'm begging you don't send me to {setting}",
            "please please i don't want {treatment} again",
            "i just want to be at home that's all i want please",
            "please can i just try it my way for once",
        ],
    ),
    "persuasion-ask_to_be_heard": dict(
        tags=set(),
        leads=[PUSHES, NEUTRALS, QUESTIONS],
        roles=["service_user"],
        a=[
            "Can you let me finish, please? I haven't said what I think yet.",
            "I need you to actually listen to me for once.",
            "Everyone keeps talking over me, and it's my life we're talking about.",
            "I need a bit of time to think before anyone decides anything.",
            "Stop, please, it's too much, I can't think with everyone going at me.",
            "You're not hearing me, I'm trying to explain how it feels.",
        ],
        b=[
            "can you just let me talk for a sec",
            "nobody's listening to me you're all just talking",
            "hang on i need to think i can't decide like this",
            "you're not listening that's the thing you never listen",
            "just give me a minute please it's a lot",
        ],
    ),
    "persuasion-pressure_reported": dict(
        tags=set(),
        unjudged={D},
        leads=[QUESTIONS, NEUTRALS],
        roles=["service_user", "network", "peer"],
        a=[
            "The doctor told me that if I didn't take {treatment} they'd section me, and I felt I had no choice.",
            "They kept saying I had to go to {setting}, over and over, until I just gave in.",
            "My dad said he'd throw me out if I stopped {treatment}, so I took it.",
            "At the last meeting I was told it was {setting} or nothing, and that really scared me.",
            "The nurse said I'd end up back inside if I skipped {thing}, so I went.",
        ],
        b=[
            "they said if i didn't take it they'd section me so i just did",
            "he kept going on and on saying i had to go in till i said yes",
            "they told me it was {setting} or nothing like i had no choice",
            "my mum said i'd have to move out if i stopped {treatment}",
        ],
    ),
    "persuasion+join_push": dict(
        tags={P},
        leads=[PUSHES, PUSHES, QUESTIONS],
        roles=["network", "clinician", "other"],
        a=[
            "Your mum's right, you must take {treatment}, there's nothing to discuss.",
            "I agree with {person}, you need to go into {setting} tonight, no arguments.",
            "Please, for me, just take {treatment}, I can't watch you go through that again.",
            "We all think the same, so you're going to {thing}, and there's no more to say.",
            "Listen to {person}, if you stop {treatment} you'll lose everything, so don't.",
            "I'm with the doctor on this, {setting} is the only sensible choice and that's that.",
        ],
        b=[
            "she's right you've gotta take {treatment} no arguing",
            "please just do it for me i can't go through it again",
            "we all agree you're going in tonight so that's it",
            "listen to the doctor you stop {treatment} and it's straight back to {setting}",
            "come on you know you've got to do {thing} stop fighting it",
        ],
    ),
}

OPENERS_A = ["", "", "", "Look, ", "Honestly, ", "Okay, ", "Sorry, but "]
OPENERS_B = ["", "", "", "no ", "look ", "yeah but ", "honestly "]


def _fill(rng: random.Random, text: str) -> str:
    for slot, values in SLOTS.items():
        while slot in text:
            text = text.replace(slot, rng.choice(values), 1)
    return text


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    for rule, spec in RULES.items():
        for family in ("a", "b"):
            for k, clause in enumerate(spec[family]):
                frame = f"own_voice:{rule}:{family}{k}"
                for _ in range(6 if family == "a" else 5):
                    opener = rng.choice(OPENERS_A if family == "a" else OPENERS_B)
                    body = clause
                    if opener and not clause.startswith(("I ", "I'")):
                        body = clause[:1].lower() + clause[1:]
                    text = _fill(rng, opener + body)
                    form = "written"
                    if family == "b":
                        text, form = spoken(text, rng, may_cut=False), "spoken"
                    elif rng.random() < 0.2:
                        text, form = asr_noise(text, rng), "asr_noisy"
                    pool = rng.choice(spec["leads"])
                    lead, same = _fill(rng, rng.choice(pool)), False
                    if rng.random() < 0.15:
                        lead, same = None, None  # first utterance, or context not kept
                    rows.append(
                        {
                            "text": text,
                            "speaker_role": rng.choice(spec["roles"]),
                            "labels": spec["tags"],
                            "unjudged": spec.get("unjudged", set()),
                            "rule": rule,
                            "frame": frame,
                            "form": form,
                            "prev_text": lead,
                            "prev_same": same,
                        }
                    )
    return rows


def _ngrams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = norm(text).split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _held_out_ngrams() -> set[tuple[str, ...]]:
    """Five-word runs of the held-out sets and the codebook's worked examples: a generated row
    that shares one is a paraphrase too close to what the tagger is judged on."""
    from dialogic.tagging.codebook import load_codebook_examples

    texts = [e.text for e in load_codebook_examples()]
    for path in sorted((HERE.parent / "heldout").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return set().union(*(_ngrams(t) for t in texts))


def main() -> None:
    known, checks = _known_texts(), _checks()
    for path in (HERE / "rules.jsonl", HERE.parent / "heldout" / "rules.jsonl"):
        texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
        known |= {norm(t) for t in texts}
        if path.parent.name == "heldout":
            checks += [set(norm(t).split()) for t in texts]
    held_runs = _held_out_ngrams()
    out, dropped = keep_new(build(), known, checks, also_drop=lambda key: bool(_ngrams(key) & held_runs))
    write_rows(out, OUT, id_prefix="own", split_prefix="")
    print(
        len(out),
        "rows;",
        dropped,
        "dropped as (near) copies;",
        dict(Counter(r["split"] for r in out)),
        dict(Counter(r["rule"] for r in out)),
        dict(Counter(r["form"] for r in out)),
    )


if __name__ == "__main__":
    main()
