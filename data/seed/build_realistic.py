"""Write ``data/seed/realistic.jsonl``: realistic meeting talk added to the seed corpus (written
for dialogic, not recorded).

The seed corpus (build_corpus.py) is balanced and tidy: nearly two thirds of it carries a tag.
Real meetings are mostly untagged talk, and the tagger fired on it. This generator adds, from
separate hand-written parts:

- hard negatives, the talk the tagger fired on wrongly: service users and relatives recounting
  symptoms, history and medication experience; service users' own wishes and decisions; clients'
  own factual questions; reflections and summaries; information without options; factual and
  symptom questions; professional and other people's experience; empathy without disclosure;
  small talk and back-channels;
- positives in the forms the tagger missed: family pleading ("love please you have to…"), short
  bare option pairs ("we could wait or cut it"), service users sharing their history to connect
  with someone else, disclosures by family members and clinicians;
- the previous utterance (role + text) as context for every row, drawn from hand-written lead-in
  turns that fit the category (a question before an answer, a refusal before a repeated push);
- spoken form for about half of the rows: lowercase, no punctuation, fillers (um, uh, like,
  you know), false starts, fragments cut mid-sentence (untagged rows only, so no cue is cut
  away) and simple ASR-style word confusions.

The split is by frame (a template or a hand-written list), 70/15/15 by a stable hash, like the
seed corpus. Utterances that match a held-out or codebook example after normalisation are
dropped. Deterministic: ``python data/seed/build_realistic.py``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "realistic.jsonl"
SEED = 20261201
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
P, O, E, D = TAGS

NAMES = [
    "Aisha",
    "Tom",
    "Leanne",
    "Gareth",
    "Chloe",
    "Ravi",
    "Ellie",
    "Connor",
    "Nadia",
    "Owen",
    "Freya",
    "Liam",
    "Zara",
    "Craig",
]
FAMILY = ["pet", "darling", "babe", "mate", "son", "our Shaun", "chick", "hun", "Mum", "Dad", "bro", "sis"]

# ---------------------------------------------------------------- hard negatives (0000) ------
SYMPTOM_SUBJ = [
    "the voices",
    "my sleep",
    "the anxiety",
    "my mood",
    "the paranoia",
    "my head",
    "the racing thoughts",
    "my appetite",
    "the panic",
    "the flashbacks",
    "the low mood",
    "my concentration",
    "the urges",
]
SYMPTOM_PRED = [
    "have been worse",
    "has been all over the place",
    "is a bit better",
    "is terrible",
    "keeps coming and going",
    "has been really bad",
    "is no different",
    "got a lot worse",
    "has eased off a bit",
    "is still there",
]
SYMPTOM_WHEN = [
    "at night",
    "since the weekend",
    "this week",
    "when I'm on my own",
    "in the mornings",
    "after I've been out",
    "since Christmas",
    "when I'm in the flat",
    "since the appointment",
    "most days",
    "",
]
HISTORY_WHEN = [
    "back in 2016",
    "when I was at school",
    "after my divorce",
    "the first time",
    "a couple of years ago",
    "when I was seventeen",
    "after the baby",
    "when I lost my job",
    "in my first year at uni",
    "last spring",
    "before I moved here",
]
HISTORY_EVENT = [
    "I got sectioned",
    "I was in the Becklin Centre for six weeks",
    "I took an overdose",
    "I got diagnosed",
    "I stopped eating properly",
    "I moved back in with my parents",
    "I started hearing things",
    "I was on a section two",
    "I couldn't leave the house",
    "I ended up in A and E",
    "I had my first episode",
    "they put me on the ward",
    "I stopped taking everything",
    "I got really unwell",
    "I was cutting a lot",
    "the police brought me in",
]
HISTORY_TAIL = [
    "",
    " and it was awful",
    " and nobody believed me",
    " and that's when it all started",
    " which I don't really remember",
    " and I was in for ages",
    " and my mum found me",
    " and it took months to get back",
    " and that was the worst bit",
]
MEDS = [
    "the olanzapine",
    "the quetiapine",
    "the risperidone",
    "the sertraline",
    "the lithium",
    "the clozapine",
    "the depot",
    "the aripiprazole",
    "the mirtazapine",
    "the haloperidol",
    "the sodium valproate",
]
MED_EFFECT = [
    "made me sleep all day",
    "made me put on three stone",
    "made my hands shake",
    "didn't do anything for me",
    "made me feel like a zombie",
    "gave me awful dreams",
    "made me really restless",
    "took the edge off the voices",
    "made me so thirsty",
    "dried my mouth out",
    "helped a bit with sleeping",
    "made me dizzy when I stood up",
]
SU_QUESTION = [
    "How long does it take to kick in?",
    "Is {med} addictive?",
    "When's my next review?",
    "Can I drink on {med}?",
    "Will the weight come off if I stop?",
    "Does the GP get a copy of this?",
    "What time does the clinic shut?",
    "Who do I ring if the pharmacy hasn't got it?",
    "Is the blood test fasting?",
    "Do I still see the same nurse?",
    "How much is a prescription now?",
    "Will it show up if I go for a job?",
    "Is the crisis number the same one?",
    "Are you going to be here next week?",
    "Does it matter if I take it with food?",
    "Can I still drive on {med}?",
    "What does CPA stand for?",
    "How long will I be on the section?",
    "Is there a lift at the new place?",
]
SU_WISH = [
    "I want to come off {med}.",
    "My mind's made up, I'm stopping it.",
    "I've decided, I'm going back to work in March.",
    "I'd rather stay at my flat, honestly.",
    "I'm not going back on the ward, no way.",
    "I want to do this on my own.",
    "I'm not having the injection.",
    "I'd like to stay on what I'm on.",
    "I've already decided, I'm moving to my sister's.",
    "I don't want any more tablets.",
    "I'm done with the day centre.",
    "I'd prefer it if Mum didn't come next time.",
    "I want my own place.",
    "I'm staying put, that's my decision.",
    "I'm keeping my job whatever happens.",
]
NET_RECOUNT_SUBJ = [
    "He",
    "She",
    "Our Jamie",
    "Our Lisa",
    "My son",
    "My daughter",
    "My husband",
    "My wife",
    "My partner",
]
NET_RECOUNT_PRED = [
    "hasn't been out of his room since Thursday",
    "was up all night pacing again",
    "stopped eating for two days",
    "was shouting at the neighbours on Sunday",
    "has been a lot calmer this week",
    "keeps saying the phone's bugged",
    "hasn't had a shower in a week",
    "got picked up by the police on Friday",
    "was laughing at nothing at teatime",
    "put on a lot of weight on the tablets",
    "was fine till the funeral",
    "has started drawing again, which is nice",
    "keeps forgetting the evening dose",
    "was in hospital three times before she was twenty",
]
NET_OWN_STRAIN = [
    "I've not slept properly in weeks worrying about him.",
    "I've had to cut my hours at work to be at home.",
    "I'm shattered, to be honest, I'm at the end of my rope.",
    "I cry in the car on the way to work most days.",
    "Seeing her like that breaks my heart.",
    "I feel like I'm walking on eggshells all the time.",
    "It's been the hardest year of my life, watching him go through it.",
    "I just feel so helpless.",
]
OTHER_PERSON = [
    "My cousin was on {med} and it made him really sleepy.",
    "My mum had depression when I was little.",
    "A lad I used to work with went through the same thing.",
    "My nan was in the old asylum for years.",
    "My friend's son came off {med} and he was fine.",
    "Her dad was bipolar, so it runs in the family.",
    "My brother was sectioned a few years back.",
    "One of the women at church had a breakdown last year.",
]
REFLECT = [
    "So {x}.",
    "It sounds like {x}.",
    "What I'm hearing is {x}.",
    "If I've understood, {x}.",
    "So for you, {x}.",
    "Let me check I've got this, {x}.",
    "It seems like {x}.",
    "You're saying {x}.",
    "So in a way {x}.",
]
REFLECT_X = [
    "the nights are the hardest part",
    "you felt nobody was listening on the ward",
    "the tablets help but the weight really gets you down",
    "your mum worries more than you do",
    "work is what keeps you going",
    "things got harder after the move",
    "you want people to trust you a bit more",
    "the voices are quieter when you're busy",
    "you're tired of being asked the same questions",
    "you and your dad see this differently",
    "the last admission still feels raw",
    "you feel stuck",
    "it's been a really long year",
    "everyone here cares but in different ways",
    "you'd rather stay at home",
    "you're not sure yet",
]
SUMMARY = [
    "Can I pull together what we've said so far?",
    "Just to recap where we've got to.",
    "So we've heard from everyone now, thank you.",
    "We've covered a lot today.",
    "I'll write up what we've talked about and send it to everyone.",
    "Let's come back to this next week.",
]
INFO = [
    "{med} can cause weight gain, so we'd keep an eye on that.",
    "The crisis line is open twenty-four hours.",
    "Your next appointment with Dr Rahman is on the ninth.",
    "The clinic's moved to the health centre on Cross Street.",
    "The home treatment team usually visit once or twice a day.",
    "PIP assessments are usually done over the phone now.",
    "The hearing voices group meets every other Wednesday.",
    "A CTO has conditions, and you can appeal it to a tribunal.",
    "Blood tests for {med} are done at the GP.",
    "The recovery college courses are free.",
    "Most people notice the side effects in the first couple of weeks.",
    "The pharmacist can talk you through the leaflet.",
    "Your care plan gets reviewed every six months.",
    "Carers can ask for their own assessment from the council.",
    "The section twelve doctor will be here at two.",
    "You're entitled to an advocate on the ward.",
    "The referral for psychology has gone in, the wait's about four months.",
]
FACT_Q = [
    "How many hours are you sleeping?",
    "Are the voices there all the time, or on and off?",
    "When did you last eat?",
    "Have you had any thoughts of ending your life?",
    "Are you still at your mum's?",
    "How much are you drinking at the moment?",
    "Did you get the letter from the housing?",
    "When did you last see the GP?",
    "Have you been taking {med} every day?",
    "Is your sister still coming on Sundays?",
    "What time did you get up today?",
    "Did the pharmacy sort the prescription?",
    "How long has he been like this?",
    "When did she last have a drink?",
    "Are you smoking more than usual?",
    "How was the appointment with the dentist?",
    "Did you manage to get to the shops?",
    "Any side effects since the increase?",
]
CHECK = [
    "Does that make sense?",
    "Is that right?",
    "Have I got that right?",
    "Is that okay to ask?",
    "Are you following me?",
    "Is that fair to say?",
    "Does everyone understand what a CTO is?",
]
PROF_EXP = [
    "In my experience as a nurse, the first few weeks are the hardest.",
    "I've worked with a lot of people on {med}.",
    "Over the years I've seen people do really well coming off slowly.",
    "Most of the people I work with find the groups helpful.",
    "I've supported quite a few families through this.",
    "From what I've seen in this job, it does get easier.",
]
EMPATHY = [
    "That sounds really hard.",
    "That must have been frightening.",
    "I'm really sorry that happened.",
    "That's a lot to carry.",
    "Thank you for telling us that.",
    "It makes sense you'd feel like that.",
    "I can hear how tired you are.",
    "I know how you feel.",
    "You've done really well to get here today.",
    "That's really brave, saying that.",
]
EVERYDAY = [
    "I'm shattered today, the baby was up all night.",
    "I've had a stinking headache all morning.",
    "Work's been mad this week, sorry I'm late.",
    "I was nervous as anything before my driving test too.",
    "I'm rubbish with forms, I always put them off.",
    "I've got a cold coming, sorry.",
]
SMALL_TALK = [
    "Is it still raining out?",
    "Sorry, the bus was late.",
    "Does anyone want a brew?",
    "Lovely flowers, are they from the garden?",
    "How was your holiday?",
    "Did you have a nice birthday?",
    "The parking here is a nightmare.",
    "Shall I open a window, it's boiling.",
    "Is the cat alright, she was limping last time.",
    "Sorry, I need to take this call, two minutes.",
    "Right, shall we make a start?",
    "Has everyone got a chair?",
    "Thanks for coming, everyone.",
    "We've got about twenty minutes left.",
    "Let's have a five minute break.",
]
BACKCHANNEL = [
    "Mm.",
    "Yeah.",
    "Right.",
    "Okay.",
    "Mm hm.",
    "Uh huh.",
    "Sure.",
    "Yeah yeah.",
    "No.",
    "I know.",
    "Exactly.",
    "Oh god.",
    "Bless you.",
    "Sorry, go on.",
    "Thank you.",
    "Yep.",
    "Oh right.",
    "Fair enough.",
    "Mm, yeah.",
    "Go on.",
    "Really?",
    "Oh no.",
    "Ah.",
    "Hmm.",
    "Yes.",
    "Same.",
    "True.",
    "No, no.",
    "Course.",
    "Okay then.",
]
SINGLE = [
    "Maybe try a warm bath before bed.",
    "Why not give the walking group a go on Tuesday?",
    "It might help to write down the questions before the review.",
    "You could ring the benefits line tomorrow morning.",
    "Shall we book you in with the GP?",
    "Perhaps take the tablet with your tea instead.",
    "Try cutting down the energy drinks.",
]
DECIDED = [
    "So we agreed you'd stay on the same dose till the review.",
    "Right, that's sorted then, the crisis house from Monday.",
    "Since you started at the centre, how have you found it?",
    "We settled last time that Dad would do the lifts.",
    "So the plan stays as it is, weekly visits.",
]
OPEN_OFFER = [
    "If you'd like, we can look at the dose together, but only if you want to.",
    "We can talk about the depot another time if you'd rather.",
    "It's entirely up to you, there's no pressure from us.",
    "You don't have to decide anything today.",
    "If you'd find it helpful, I could come with you.",
    "I'd probably wait a bit myself, but it's your decision.",
]

# ---------------------------------------------------------------- positives ------------------
PLEAD_OPEN = [
    "{fam}, please,",
    "Please, {fam},",
    "{fam}, listen to me,",
    "Oh {fam},",
    "{fam}, I'm asking you,",
    "Come on {fam},",
    "{fam},",
]
PLEAD_MUST = ["you have to", "you need to", "you've got to", "you must", "you're going to"]
PLEAD_ACT = [
    "keep taking them",
    "take your tablets",
    "go back to the clinic",
    "let them take you in",
    "have the jab",
    "stay on the meds",
    "go to the appointment",
    "stop the drinking",
    "let the nurse in",
    "eat something",
]
PLEAD_TAIL = [
    "",
    " for me",
    ", you know what happens when you don't",
    ", I can't go through it again",
    ", please",
    ", I'm not asking",
    ", for all our sakes",
    ", think of the kids",
]
STEER = [
    "The only sensible thing is to {a}.",
    "Honestly, there's no real choice, you {a}.",
    "We're not debating it, you'll {a}.",
    "I'm telling you now, you {must} {a}.",
    "If you don't {a}, you'll be back in hospital, simple as that.",
    "The doctor's decided, so you'll {a}.",
    "That's the illness talking, you {must} {a}.",
    "Don't be daft, just {a}.",
    "I'll say it again, you {must} {a}.",
    "Everyone agrees you should {a}, so that's that.",
    "If you stop again, you can't stay here.",
    "The order says you {a}, whatever you think about it.",
    "Forget what you read online, you {must} {a}.",
]
STEER_ACT = [
    "stay on the clozapine",
    "have the depot",
    "come into hospital tonight",
    "keep the dose where it is",
    "go to the day centre",
    "see the psychiatrist on Monday",
    "take your meds",
    "move back home",
    "let the crisis team in",
]
OPT_A = [
    "wait",
    "cut it down",
    "stop it",
    "leave it as it is",
    "go up a bit",
    "switch",
    "try the patch",
    "try the group",
    "do mornings only",
    "see how next week goes",
    "have a few nights at the crisis house",
    "stay at your sister's",
    "get a support worker in",
    "do it online",
    "take a break",
    "go part-time",
    "try the depot",
    "ring the team",
]
OPT_FRAMES = [
    "We could {a} or {b}.",
    "{A} or {b}, there's no rush to pick.",
    "Either {a} or {b}, both are fine.",
    "You could {a}, or you could {b}.",
    "One option's to {a}, the other's to {b}.",
    "Maybe {a}, or {b}, or do nothing for now.",
    "There's {a}ing... well, we could {a}, or {b}.",
    "Do we {a} or {b}?",
    "Would it be better to {a} or {b}?",
    "Rather than {a}, what about we {b}?",
    "Instead of having to {a}, you could {b}.",
    "So it's {a} or {b} really.",
    "We've got two choices, {a} or {b}.",
    "{A}, {b}, or leave everything as it is.",
]
OPT_Q = [
    "What are the options with {t}?",
    "What else could we try apart from {t}?",
    "Are there other ways of doing {t}?",
    "Is there an alternative to {t}?",
    "What choices do we have about {t}?",
]
OPT_T = [
    "the medication",
    "the housing",
    "the ward",
    "college",
    "the job",
    "the tablets",
    "getting help at night",
    "the injections",
]
ELICIT = [
    "What would you like to happen with {t}?",
    "What matters to you about {t}?",
    "What worries you about {t}?",
    "{n}, what are you hoping for?",
    "How do you feel about {t}?",
    "What would you want us to do about {t}?",
    "What's most important to you when it comes to {t}?",
    "{n}, what would you choose?",
    "What's your gut feeling about {t}?",
    "If it was your call, what would you do about {t}?",
    "What are you scared might happen with {t}?",
    "{n}, what do you want from today?",
    "What would help you most with {t}?",
]
ELICIT_T = [
    "the medication",
    "moving out",
    "going back to work",
    "the depot",
    "the review",
    "coming off",
    "the crisis plan",
    "the new flat",
    "college",
    "the next few weeks",
    "your care",
    "the plan",
]
OPT_ELICIT = [
    "We could {a} or {b}, what would you prefer?",
    "Would you rather {a} or {b}?",
    "{A} or {b}, which feels better to you?",
    "There's {a} or {b}, what do you think you'd want?",
]
PUSH_OPT = [
    "You could {a}, but honestly the only sensible thing is to {b}.",
    "It's {a} or you {b}, and I know which you should pick.",
]
DISC_OPEN = [
    "Honestly,",
    "For what it's worth,",
    "I'll be honest,",
    "I remember,",
    "You know,",
    "Not gonna lie,",
    "",
    "",
    "",
]
DISC_OWN = [
    "when I was first ill I didn't leave my bedroom for four months",
    "I was on {med} for years and the weight was the worst bit",
    "I heard voices through most of my twenties",
    "I've been sectioned three times",
    "I tried to end my life when I was nineteen",
    "I spent a summer on an acute ward",
    "I had panic attacks so bad I couldn't get on a bus",
    "I was convinced the TV was talking to me",
    "I came off my meds too fast once and crashed",
    "I lost a whole year to depression",
    "I used to self-harm every night",
    "I was homeless for a bit when I was unwell",
    "I drank to shut the voices up",
    "I did the crisis house twice",
    "my first psychiatrist diagnosed me with schizophrenia and I was devastated",
    "I had a breakdown at work and never went back",
]
DISC_CLOSE = [
    "so I get it",
    "and it did get better",
    "and I'm still here",
    "so you're not on your own",
    "and I came out the other side",
    "so I know how frightening it is",
    "and things changed, slowly",
    "so I really understand",
    "and now look at me",
]
SU_CONNECT = [
    "{n}, I've been where you are, {own}, {close}.",
    "{n}, I know, because {own}, {close}.",
    "It's scary, I know, {own}, {close}.",
]
NONPEER_DISC = [
    "I've had depression myself, so {close}.",
    "I was on antidepressants for years myself, {close}.",
    "I had my own breakdown when I was younger, {close}.",
    "I was in a psychiatric unit myself once, {close}.",
]

LEADS = {
    "su_report": [
        ("clinician", "How have things been this week?"),
        ("clinician", "Can you tell me a bit about what happened?"),
        ("peer", "How are you doing?"),
        ("clinician", "How's the sleep been?"),
        ("network", "Tell them what you told me."),
    ],
    "net_report": [
        ("clinician", "How has he seemed to you?"),
        ("clinician", "What's it been like at home?"),
        ("clinician", "Mum, how's she been?"),
    ],
    "answer": [
        ("service_user", "I've not been great."),
        ("service_user", "It's been up and down."),
        ("network", "He's been really withdrawn."),
        ("service_user", "I don't really know where to start."),
    ],
    "refusal": [
        ("service_user", "I'm not taking them any more."),
        ("service_user", "I don't want to go in."),
        ("service_user", "Stop going on at me."),
        ("service_user", "I'm fine, I don't need it."),
    ],
    "decision": [
        ("clinician", "So there's a decision to make about the dose."),
        ("service_user", "I don't know what to do."),
        ("network", "What happens now?"),
        ("clinician", "Let's think about the next few weeks."),
    ],
    "disc": [
        ("service_user", "Nobody gets what it's like."),
        ("service_user", "I'm scared I'll never get better."),
        ("service_user", "I feel like a freak."),
        ("clinician", "Would you like to say something, Pat?"),
    ],
    "any": [
        ("clinician", "Okay."),
        ("service_user", "Yeah."),
        ("network", "Can I say something?"),
        ("peer", "Mm."),
        ("clinician", "Thanks for that."),
        ("service_user", "I suppose."),
    ],
}


def stable_split(key: str) -> str:
    h = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
    return "train" if h < 70 else ("dev" if h < 85 else "test")


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split())


FILLERS = ["um", "uh", "like", "you know", "i mean", "sort of", "erm", "kind of"]
ASR_SWAPS = {
    "their": "there",
    "you're": "your",
    "it's": "its",
    "don't": "dont",
    "going to": "gonna",
    "want to": "wanna",
    "to": "too",
    "i'm": "im",
    "can't": "cant",
    "we'll": "well",
    "they're": "there",
    "four": "for",
    "right": "write",
    "tablets": "tablet",
    "ward": "word",
    "depot": "deep oh",
    "sectioned": "section",
    "voices": "voice is",
}


def spoken(text: str, rng: random.Random, *, may_cut: bool) -> str:
    t = norm(text)
    words = t.split()
    if not words:
        return t
    if may_cut and len(words) > 5 and rng.random() < 0.35:  # a fragment cut where the utterance builder cuts
        words = words[: rng.randint(2, max(3, len(words) * 2 // 3))]
    if rng.random() < 0.3:  # false start: repeat the first one or two words
        k = rng.choice([1, 2]) if len(words) > 2 else 1
        words = words[:k] + words[:k] + words[k:]
    for _ in range(rng.choice([0, 1, 1, 2])):
        words.insert(rng.randint(0, len(words)), rng.choice(FILLERS))
    t = " ".join(words)
    for a, b in ASR_SWAPS.items():
        if rng.random() < 0.15:
            t = re.sub(rf"\b{re.escape(a)}\b", b, t)
    return t


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []

    def add(frame: str, category: str, labels: set[str], text: str, role: str, lead: str = "any") -> None:
        prev_role, prev_text = rng.choice(LEADS[lead]) if rng.random() < 0.85 else (None, None)
        rows.append(
            {
                "text": text,
                "speaker_role": role,
                "labels": labels,
                "category": category,
                "frame": frame,
                "prev_role": prev_role,
                "prev_text": prev_text,
            }
        )

    def many(frame: str, category: str, labels: set[str], roles: list[str], make, n: int, lead: str = "any") -> None:
        for _ in range(n):
            add(frame, category, labels, make(), rng.choice(roles), lead)

    def each(
        prefix: str,
        category: str,
        labels: set[str],
        roles: list[str],
        texts: list[str],
        lead: str = "any",
        copies: int = 1,
    ) -> None:
        for i, t in enumerate(texts):
            for _ in range(copies):
                add(f"{prefix}:{i}", category, labels, t.format(med=rng.choice(MEDS)), rng.choice(roles), lead)

    s = lambda xs: rng.choice(xs)  # noqa: E731
    none: set[str] = set()
    # hard negatives: service users
    for i in range(6):
        many(
            f"su_symptom:{i}",
            "su_symptom",
            none,
            ["service_user"],
            lambda: f"{s(SYMPTOM_SUBJ).capitalize()} {s(SYMPTOM_PRED)} {s(SYMPTOM_WHEN)}".strip() + ".",
            30,
            "su_report",
        )
    for i in range(6):
        many(
            f"su_history:{i}",
            "su_history",
            none,
            ["service_user"],
            lambda: f"{s(HISTORY_WHEN).capitalize()} {s(HISTORY_EVENT)}{s(HISTORY_TAIL)}.",
            35,
            "su_report",
        )
    for i in range(4):
        many(
            f"su_med:{i}",
            "su_medication",
            none,
            ["service_user"],
            lambda: s(
                [
                    f"{s(MEDS).capitalize()} {s(MED_EFFECT)}.",
                    f"When I was on {s(MEDS)} it {s(MED_EFFECT)}.",
                    f"I was on {s(MEDS)} before and it {s(MED_EFFECT)}.",
                    f"Honestly {s(MEDS)} {s(MED_EFFECT)}.",
                ]
            ),
            35,
            "su_report",
        )
    each("su_question", "su_own_question", none, ["service_user"], SU_QUESTION, "answer", 3)
    each("su_wish", "su_own_wish", none, ["service_user"], SU_WISH, "decision", 3)
    # relatives
    for i in range(4):
        many(
            f"net_recount:{i}",
            "network_recount",
            none,
            ["network"],
            lambda: f"{s(NET_RECOUNT_SUBJ)} {s(NET_RECOUNT_PRED)}.",
            30,
            "net_report",
        )
    each("net_strain", "network_own_strain", none, ["network"], NET_OWN_STRAIN, "net_report", 4)
    each(
        "other_person",
        "someone_elses_experience",
        none,
        ["network", "peer", "service_user", "other"],
        OTHER_PERSON,
        "any",
        4,
    )
    # clinicians and peers: reflections, information, questions
    for i in range(4):
        many(
            f"reflect:{i}",
            "reflection",
            none,
            ["clinician", "clinician", "peer", "other"],
            lambda: s(REFLECT).format(x=s(REFLECT_X)),
            35,
            "answer",
        )
    each("summary", "summary", none, ["clinician", "peer"], SUMMARY, "any", 3)
    each("info", "information", none, ["clinician", "clinician", "other", "peer"], INFO, "any", 3)
    each("fact_q", "factual_question", none, ["clinician", "clinician", "peer", "network"], FACT_Q, "any", 3)
    each("check", "check_understanding", none, ["clinician", "peer"], CHECK, "answer", 3)
    each("prof_exp", "professional_experience", none, ["clinician", "other", "peer"], PROF_EXP, "disc", 4)
    each("empathy", "empathy_no_disclosure", none, ["peer", "peer", "clinician", "network"], EMPATHY, "disc", 3)
    each("everyday", "everyday_stress", none, ["peer", "clinician", "network"], EVERYDAY, "any", 3)
    each(
        "small_talk",
        "small_talk",
        none,
        ["clinician", "peer", "network", "service_user", "other"],
        SMALL_TALK,
        "any",
        2,
    )
    each(
        "backchannel",
        "backchannel",
        none,
        ["clinician", "peer", "network", "service_user", "other"],
        BACKCHANNEL,
        "any",
        4,
    )
    each("single", "single_suggestion", none, ["clinician", "peer", "network"], SINGLE, "decision", 3)
    each("decided", "decision_made", none, ["clinician", "network"], DECIDED, "decision", 3)
    each("open_offer", "open_offer", none, ["clinician", "peer", "network"], OPEN_OFFER, "decision", 3)
    # positives
    for i in range(6):
        many(
            f"plead:{i}",
            "family_pleading",
            {P},
            ["network", "network", "network", "peer"],
            lambda: f"{s(PLEAD_OPEN).format(fam=s(FAMILY))} {s(PLEAD_MUST)} {s(PLEAD_ACT)}{s(PLEAD_TAIL)}.",
            20,
            "refusal",
        )
    for i, frame in enumerate(STEER):
        many(
            f"steer:{i}",
            "steering",
            {P},
            ["clinician", "network", "other", "peer"],
            lambda frame=frame: frame.format(a=s(STEER_ACT), must=s(PLEAD_MUST)),
            12,
            "refusal",
        )
    for i, frame in enumerate(OPT_FRAMES):

        def make(frame=frame):
            a, b = rng.sample(OPT_A, 2)
            return frame.format(a=a, b=b, A=a.capitalize())

        many(
            f"opt:{i}",
            "bare_options",
            {O},
            ["clinician", "clinician", "peer", "network", "service_user"],
            make,
            14,
            "decision",
        )
    for i, frame in enumerate(OPT_Q):
        many(
            f"opt_q:{i}",
            "asks_options",
            {O},
            ["service_user", "network", "clinician"],
            lambda frame=frame: frame.format(t=s(OPT_T)),
            10,
            "decision",
        )
    for i, frame in enumerate(ELICIT):
        many(
            f"elicit:{i}",
            "elicitation",
            {E},
            ["clinician", "clinician", "peer", "network"],
            lambda frame=frame: frame.format(t=s(ELICIT_T), n=s(NAMES)),
            14,
            "decision",
        )
    for i, frame in enumerate(OPT_ELICIT):

        def make(frame=frame):
            a, b = rng.sample(OPT_A, 2)
            return frame.format(a=a, b=b, A=a.capitalize())

        many(
            f"opt_elicit:{i}", "options_and_preference", {O, E}, ["clinician", "peer", "network"], make, 14, "decision"
        )
    for i, frame in enumerate(PUSH_OPT):

        def make(frame=frame):
            a, b = rng.sample(OPT_A, 2)
            return frame.format(a=a, b=b)

        many(f"push_opt:{i}", "options_then_push", {O, P}, ["clinician", "network"], make, 14, "refusal")
    for i, own in enumerate(DISC_OWN):
        many(
            f"disc:{i}",
            "peer_disclosure",
            {D},
            ["peer"],
            lambda own=own: f"{s(DISC_OPEN)} {own.format(med=s(MEDS))}, {s(DISC_CLOSE)}.".strip().replace("  ", " "),
            8,
            "disc",
        )
        # the same experience told as a report (no connection offered) by a service user: no
        many(
            f"disc:{i}",
            "service_user_history_report",
            none,
            ["service_user"],
            lambda own=own: f"{own.format(med=s(MEDS)).capitalize()}.",
            3,
            "su_report",
        )
        many(
            f"disc:{i}",
            "service_user_connects",
            {D},
            ["service_user"],
            lambda own=own: s(SU_CONNECT).format(n=s(NAMES), own=own.format(med=s(MEDS)), close=s(DISC_CLOSE)),
            2,
            "disc",
        )
    for i, frame in enumerate(NONPEER_DISC):
        many(
            f"nonpeer_disc:{i}",
            "nonpeer_disclosure",
            {D},
            ["network", "clinician"],
            lambda frame=frame: frame.format(close=s(DISC_CLOSE)),
            8,
            "disc",
        )
    return rows


def write_rows(rows: list[dict], id_prefix: str, path: Path) -> None:
    """Number ``rows`` ``<id_prefix>-00001``… and write them as JSON lines, columns in corpus order."""
    for i, row in enumerate(rows, start=1):
        row["id"] = f"{id_prefix}-{i:05d}"
    keys = ["id", "text", "speaker_role", "split", *TAGS, "category", "frame", "form", "prev_role", "prev_text"]
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({k: row[k] for k in keys}, ensure_ascii=False) + "\n")


def main() -> None:
    import sys

    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from dialogic.tagging.codebook import load_codebook_examples

    held = {
        norm(json.loads(l)["text"])
        for l in (HERE.parent / "heldout" / "written.jsonl").read_text().splitlines()
        if l.strip()
    }
    held |= {norm(e.text) for e in load_codebook_examples()}
    rng = random.Random(SEED + 1)
    seen: set[tuple[str, str]] = set()
    out, dropped = [], 0
    for row in build():
        text = row["text"]
        form = "written"
        if rng.random() < 0.5:
            text, form = spoken(text, rng, may_cut=not row["labels"]), "spoken"
        key = (norm(text), row["speaker_role"])
        if norm(text) in held:
            dropped += 1
            continue
        if key in seen or not norm(text):
            continue
        seen.add(key)
        out.append(
            {
                "text": text,
                "speaker_role": row["speaker_role"],
                "split": stable_split(row["frame"]),
                **{t: int(t in row["labels"]) for t in TAGS},
                "category": row["category"],
                "frame": row["frame"],
                "form": form,
                "prev_role": row["prev_role"],
                "prev_text": row["prev_text"],
            }
        )
    write_rows(out, "real", OUT)
    from collections import Counter

    print(
        len(out),
        "rows;",
        dropped,
        "dropped as held-out/codebook matches;",
        dict(Counter(r["split"] for r in out)),
        {t: sum(r[t] for r in out) for t in TAGS},
        "no tag",
        sum(1 for r in out if not any(r[t] for t in TAGS)),
    )


if __name__ == "__main__":
    main()
