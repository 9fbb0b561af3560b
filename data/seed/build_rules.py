"""Write ``data/seed/rules.jsonl``: positives by codebook rule and subtype, with the hard negatives
beside them, each after a preceding turn (written for dialogic, not recorded).

dialogic-tagger-v3 missed much of what the codebook's "code yes" rules name (issue #23): the law
or an assessment used to close the question, a choice offered and then declared unreasonable,
appeals to experience or authority, repetition after resistance, a relative pleading,
consequences stated to push. The older corpus files have few of these. This generator writes
them rule by rule, for every tag, in three forms:

- **family A, written**: a clause per rule from its own phrase table, framed by openers and a
  topic (medication, admission, housing, work, …) — full sentences with punctuation;
- **family B, spoken**: a second, independent phrase table per rule in the way people talk in a
  meeting ("look, I'll be straight with you…", "no but listen…"), rendered by build_realistic.py's
  `spoken` (lower case, fillers, false starts, simple ASR confusions);
- **ASR-noisy**: family A rows through `asr_noise` below (dropped short words, run-on
  splices, more word confusions than `spoken`), about a fifth of them.

Every row carries the utterance before it (``prev_text``) and whether the same speaker said it
(``prev_same``): resistance from another speaker before a repetition, a question before an
answer, an earlier turn of the same speaker. The same preceding turns also stand before
negatives (a resistance answered by handing the choice back is not persuasion), so the context
does not give the label away. Rows are labelled at the level of the text for every tag:
``peer_self_disclosure`` positives are said by peer workers, and its "code no" rows (someone
else's experience, professional experience, everyday tiredness) are negatives whoever says them.

The split is by frame (rule × family × phrase), 70/15/15 by a stable hash. Texts equal (after
normalisation) to a held-out, codebook or other corpus utterance, or near copies (word-set
overlap >= 0.8) of a held-out or codebook one, are dropped; so are rows whose text repeats.
The out-of-template rules set (data/heldout/rules.jsonl) is written by another generator,
data/heldout/build_rules_eval.py, from hand-listed utterances, not these tables.
Deterministic: ``python data/seed/build_rules.py``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_realistic import norm, spoken, stable_split  # noqa: E402  (same folder, a script)

OUT = HERE / "rules.jsonl"
SEED = 20261223
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
P, O, E, D = TAGS

# ------------------------------------------------------------------ slots -------------------
TOPICS = {
    "med": [
        "the clozapine",
        "the olanzapine",
        "the lithium",
        "the injection",
        "the depot",
        "the tablets",
        "the sertraline",
    ],
    "place": ["the ward", "the crisis house", "the respite flat", "hospital", "the unit"],
    "plan": ["the day centre", "the college course", "going back to work", "the supported flat", "the group"],
}
NAMES = ["Aisha", "Connor", "Freya", "Tomasz", "Nadia", "Owen", "Rhiannon", "Callum", "Leah", "Yusuf"]
KIN = ["Mum", "Dad", "Nan", "love", "sweetheart", "son", "pet"]

# Preceding turns, by what they do. Each pool stands before positives and negatives alike.
RESIST = [
    "I've told you, I'm not taking {med} any more.",
    "No. I don't want to go to {place}.",
    "I really don't think I need {med}.",
    "I'd rather just stay at home, honestly.",
    "I'm not sure about {plan}, it's too much right now.",
    "i dont want it i said that already",
    "can we not just leave it",
    "I'm not doing {plan}, I've decided.",
]
QUESTION = [
    "What happens if I say no?",
    "Do I actually have to?",
    "What are my choices here?",
    "What do you all think I should do?",
    "so what now",
    "Is there anything else we could try?",
]
NEUTRAL = [
    "Okay.",
    "Right, so that's where we are with {plan}.",
    "Thanks for coming, everyone.",
    "mm yeah",
    "We've got about twenty minutes left.",
    "It's been a hard few weeks for all of us.",
    "I've been sleeping a bit better.",
    "He's been very quiet since the weekend.",
]
DISTRESS = [
    "I just feel like nobody gets what it's like.",
    "I'm scared it's going to happen again.",
    "i feel like im the only one who's been like this",
    "I'm so tired of being ill.",
]
ANSWERED = [
    "What would you like to happen with {plan}?",
    "How are you feeling about {med}?",
    "Is there anything that worries you about {place}?",
]

# ------------------------------------------------------------------ rules -----------------
# Each rule: the tags its rows carry, the tags it leaves unjudged, the pools of preceding turns,
# the speakers' roles, family A clauses and family B clauses. "{med}", "{place}", "{plan}", "{name}" and "{kin}"
# are filled from the slots above.
RULES: dict[str, dict] = {
    # ---- persuasion, code yes
    "persuasion+legal_leverage": dict(
        tags={P},
        leads=[RESIST, QUESTION],
        roles=["clinician", "other"],
        a=[
            "If you won't agree to {med}, we'll have to arrange a Mental Health Act assessment.",
            "You should know that the section lets us give {med} without your consent, so it's better you agree now.",
            "If you won't come in voluntarily, the team will look at detaining you, so I'd say yes to {place}.",
            "The community treatment order means you take {med}, and if you don't you'll be recalled.",
            "Your tribunal is coming up, and refusing {med} will count against you, so take it.",
            "I'd hate for this to end up with a section, which is exactly where refusing {med} leads.",
        ],
        b=[
            "look if you refuse again we're gonna have to get the approved mental health professional out",
            "you know we can section you for this so it's really best you just agree to {place}",
            "the order says you take {med} so that's what's happening",
            "if you don't come in tonight we'll be doing an assessment and nobody wants that",
            "legally we can make you so please just say yes to {med}",
        ],
    ),
    "persuasion+false_choice": dict(
        tags={P, O},
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "network"],
        a=[
            "You can stop {med} if you want, but that would be a really foolish choice, so we're keeping it.",
            "In theory you could go home, but realistically there's no choice, you're staying on {place}.",
            "It's your decision of course, but stopping {med} isn't a sensible option, so it's staying.",
            "You could try it without {med}, but no reasonable person would, so let's not.",
            "There are other options on paper, but none of them is actually acceptable, so it's {plan}.",
        ],
        b=[
            "i mean you could say no but that would be mad so you're doing {plan}",
            "technically it's up to you but come on there's only one real answer here",
            "yeah you've got a choice but not really you know it has to be {med}",
            "you could stay at home i suppose but that's not really an option is it so it's {place}",
        ],
    ),
    "persuasion+appeal_experience": dict(
        tags={P},
        leads=[RESIST, QUESTION, NEUTRAL],
        roles=["clinician", "network", "other"],
        a=[
            "I've been a psychiatrist for twenty years and I'm telling you, you need {med}.",
            "Trust me, I've seen hundreds of people in your position and every one who stopped {med} ended up back in {place}.",
            "As your consultant, I'm the one who decides what's safe, and you're staying on {med}.",
            "I've done this job long enough to know, so please don't argue: it's {plan}.",
            "I'm your father and I know what's best for you here, you're going to {place}.",
        ],
        b=[
            "believe me ive been doing this a long time and you need to stay on {med}",
            "i know these things i'm the doctor so we're doing {plan}",
            "ive seen it a hundred times you come off {med} you end up back in {place} so no",
            "im your mum i know you better than anyone you're going to {place}",
        ],
    ),
    "persuasion+consequences_push": dict(
        tags={P},
        leads=[RESIST, QUESTION, NEUTRAL],
        roles=["clinician", "network", "other"],
        a=[
            "If you stop {med}, you'll be back on {place} within a month, so don't.",
            "You'll lose the flat if you don't go to {plan}, so you really need to go.",
            "Coming off {med} will wreck everything you've built, so you're staying on it.",
            "If you skip {plan} again, they'll close your place, so you have to be there.",
            "Think about where you'll end up without {med}, that's why you must keep taking it.",
        ],
        b=[
            "you stop {med} and you'll be straight back on {place} so just keep taking it",
            "if you dont go to {plan} you'll lose it all so you've gotta go",
            "you know what happens when you come off it so you're not coming off it",
            "last time you stopped you ended up in {place} so dont even think about it",
        ],
    ),
    "persuasion+repeat_after_resistance": dict(
        tags={P},
        leads=[RESIST],
        roles=["clinician", "network"],
        a=[
            "I hear you, but I'll say it again: you need to stay on {med}.",
            "I know you don't want to, but as I said, {plan} is what you need.",
            "We've been over this, and my answer is still the same, {med} stays.",
            "I understand, and I'm still going to ask you to go to {place}.",
            "Like I said before, and I'll keep saying it, you have to take {med}.",
        ],
        b=[
            "yeah i know you said that but i'm gonna say it again you need {med}",
            "i hear you but no we talked about this you're going to {plan}",
            "okay but like i said you have to stay on it",
            "i know i know but i'm still saying {place} is the place for you right now",
        ],
    ),
    "persuasion+pleading": dict(
        tags={P},
        leads=[RESIST, DISTRESS, NEUTRAL],
        roles=["network"],
        a=[
            "{kin}, please, I'm begging you, just take {med}, I can't watch you go through that again.",
            "Please go to {place}, for me, I can't do another night like last night.",
            "I'm pleading with you, {name}, say yes to {med}, we can't lose you again.",
            "Please, please just try {plan}, do it for your dad and me.",
        ],
        b=[
            "please {kin} just take them i cant go through that again",
            "i'm begging you please just go in tonight please",
            "please {name} do it for us please just say yes to {med}",
            "we cant do this again please just take {med} please",
        ],
    ),
    "persuasion+brush_aside": dict(
        tags={P},
        leads=[RESIST, QUESTION],
        roles=["clinician", "network"],
        a=[
            "That's just the illness talking, you need {med}.",
            "Ignore what you've read online about {med}, you're taking it.",
            "Your worries about the side effects don't really matter here, {med} is the right thing.",
            "Never mind what your friends say about {place}, you're going in.",
            "That's not a real objection, so we'll go ahead with {plan}.",
        ],
        b=[
            "nah that's the paranoia talking you need {med}",
            "forget what you read on the internet you're taking it",
            "that doesn't matter the side effects are nothing you're staying on {med}",
            "never mind all that you're going to {plan}",
        ],
    ),
    "persuasion+insist": dict(
        tags={P},
        leads=[RESIST, QUESTION, NEUTRAL],
        roles=["clinician", "network", "peer"],
        a=[
            "You have to keep taking {med}, that's not negotiable.",
            "You need to go to {place} tonight, there's no discussion.",
            "{plan} is happening, full stop.",
            "You will take {med} every morning, and that's that.",
        ],
        b=[
            "you've got to take it end of",
            "no you need to go to {place} tonight that's it",
            "you're doing {plan} not up for discussion",
            "it's not optional you take {med} every day",
        ],
    ),
    "persuasion+conditional_threat": dict(
        tags={P},
        leads=[RESIST, NEUTRAL],
        roles=["network", "clinician"],
        a=[
            "If you don't start {plan}, you can't keep living here.",
            "If you stop {med} again, I'll stop paying your rent.",
            "If you won't go to {place}, I'm not coming to visit any more.",
            "Unless you take {med}, we'll stop the home visits.",
        ],
        b=[
            "if you dont go to {plan} you're out of this house",
            "you stop {med} again and i'm done i mean it",
            "if you wont go in then dont expect me to come round",
            "take {med} or we stop the visits simple as that",
        ],
    ),
    # ---- persuasion, code no
    "persuasion-neutral_information": dict(
        tags=set(),
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "peer"],
        a=[
            "Stopping {med} suddenly can bring withdrawal effects, so any change would be gradual.",
            "People on {med} usually have a blood test every few months.",
            "{place} has a visiting time in the evening, and you can have your phone.",
            "The waiting list for {plan} is about six weeks at the moment.",
        ],
        b=[
            "so coming off {med} quick can give you withdrawal so we'd go slow if you did",
            "with {med} there's bloods every few months that's all",
            "the wait for {plan} is about six weeks right now",
        ],
    ),
    "persuasion-open_offer": dict(
        tags=set(),
        unjudged={O},
        leads=[RESIST, QUESTION, NEUTRAL],
        roles=["clinician", "peer", "network"],
        a=[
            "We could look at the dose of {med} if you'd like, and if not, that's fine too.",
            "I hear you don't want {place}; that's your decision, and we'll think about what else would help.",
            "If you ever want to talk about {plan}, I'm here, no pressure at all.",
            "Okay, you've said no to {med}, and we'll respect that.",
        ],
        b=[
            "okay that's fine if you dont want {med} we wont push it",
            "no pressure at all if you wanna look at {plan} later just say",
            "alright you've said no and that's your call",
            "we could look at it if you want or not that's up to you",
        ],
    ),
    "persuasion-opinion_handed_back": dict(
        tags=set(),
        unjudged={O},
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "network", "peer"],
        a=[
            "I'd lean towards staying on {med} for now, but it's your call.",
            "My own view is that {plan} might suit you, but you know yourself best.",
            "If it were me I might try {place}, but it's really up to you.",
        ],
        b=[
            "i'd probably stick with {med} for a bit but honestly it's your call",
            "personally i think {plan} could be good but you decide",
        ],
    ),
    "persuasion-law_described": dict(
        tags=set(),
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "other"],
        a=[
            "Under the Act you have the right to appeal to a tribunal, and I can help with the form.",
            "An advocate can come to the next meeting if you want one, that's your right.",
            "The community treatment order has a review date in March, and you can ask for it sooner.",
        ],
        b=[
            "you can appeal it to a tribunal that's your right and we can help",
            "you're allowed an advocate at these if you want one",
        ],
    ),
    "persuasion-own_wish": dict(
        tags=set(),
        leads=[ANSWERED, QUESTION],
        roles=["service_user", "network"],
        a=[
            "I want to come off {med}, I've thought about it a lot.",
            "I'd like to stay at home rather than go to {place}.",
            "I'm going to try {plan}, I've made up my mind.",
        ],
        b=[
            "i want to stop {med} thats what i want",
            "id rather stay home than go to {place}",
        ],
    ),
    # ---- option_discussion
    "option_discussion+two_courses": dict(
        tags={O},
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "network", "peer", "service_user"],
        a=[
            "We could lower {med}, or keep it the same and look again in a month.",
            "One way is {place} for a few nights; another is the home treatment team coming daily.",
            "You could start {plan} now, or wait until after Christmas.",
        ],
        b=[
            "so we could drop {med} a bit or just leave it where it is for now",
            "either the home team comes out every day or you go to {place} for a few nights",
            "you could start {plan} now or wait a bit",
        ],
    ),
    "option_discussion+waiting_counts": dict(
        tags={O},
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "peer"],
        a=[
            "Changing nothing about {med} is an option too, we don't have to decide today.",
            "Waiting and seeing how the next month goes is one of the choices as well.",
        ],
        b=[
            "doing nothing for now is an option as well you know",
            "we can just wait and see that's a choice too",
        ],
    ),
    "option_discussion+ask_options": dict(
        tags={O},
        leads=[NEUTRAL, RESIST],
        roles=["service_user", "network", "clinician"],
        a=[
            "What else is there apart from {med}?",
            "Are there any alternatives to {place} that we haven't talked about?",
            "What are the other options if {plan} doesn't work out?",
        ],
        b=[
            "what else is there other than {med}",
            "is there anything instead of {place}",
            "what are the options if {plan} doesnt work",
        ],
    ),
    "option_discussion+compare": dict(
        tags={O},
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "peer", "network"],
        a=[
            "The depot means you don't have to remember, whereas the tablets give you more say day to day.",
            "{place} would be safer tonight, but home treatment would keep you near the kids.",
            "{plan} is more structure, while staying as you are gives you more rest.",
        ],
        b=[
            "the injection you dont have to remember but the tablets you've got more control",
            "{place} is safer but at home you've got the kids around",
        ],
    ),
    "option_discussion+alternative_proposal": dict(
        tags={O},
        leads=[QUESTION, NEUTRAL, RESIST],
        roles=["network", "clinician", "service_user", "peer"],
        a=[
            "Rather than {place}, what about the home treatment team?",
            "Instead of moving back with us, could she have someone visit the flat?",
            "What if, instead of {plan}, he did two mornings a week somewhere quieter?",
        ],
        b=[
            "instead of {place} could the crisis team not come out",
            "what about instead of that she has someone pop in daily",
        ],
    ),
    "option_discussion-single_suggestion": dict(
        tags=set(),
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "peer", "network"],
        a=[
            "Why not try {plan} on Fridays and see how it goes.",
            "Maybe take {med} an hour earlier in the evening.",
        ],
        b=[
            "maybe just try {plan} on a friday and see",
            "try taking it a bit earlier at night",
        ],
    ),
    "option_discussion-decision_made": dict(
        tags=set(),
        leads=[NEUTRAL],
        roles=["clinician", "network", "service_user"],
        a=[
            "So we agreed last time that {med} stays at the same dose.",
            "We settled it already, {plan} starts on Monday.",
        ],
        b=[
            "so we said last time {med} stays the same",
            "that's sorted {plan} starts monday",
        ],
    ),
    "option_discussion-one_option_detail": dict(
        tags=set(),
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "other"],
        a=[
            "{plan} runs from ten until three on weekdays.",
            "The injection is given every two weeks at the clinic.",
        ],
        b=[
            "{plan} is ten till three weekdays",
            "the injection's every fortnight at the clinic",
        ],
    ),
    # ---- preference_elicitation
    "preference_elicitation+ask_want": dict(
        tags={E},
        leads=[NEUTRAL, RESIST, DISTRESS],
        roles=["clinician", "peer", "network"],
        a=[
            "What would you like to happen with {med}?",
            "{name}, what do you want from {plan}?",
            "If it were completely up to you, what would you choose?",
        ],
        b=[
            "what do you want to happen with {med}",
            "so what would you like yourself",
            "if it was up to you what would you pick",
        ],
    ),
    "preference_elicitation+ask_values": dict(
        tags={E},
        leads=[NEUTRAL, DISTRESS],
        roles=["clinician", "peer"],
        a=[
            "What matters most to you about where you live?",
            "What are you hoping for from {plan}?",
        ],
        b=[
            "what's most important to you about it",
            "what are you hoping for really",
        ],
    ),
    "preference_elicitation+ask_worries": dict(
        tags={E},
        leads=[NEUTRAL, RESIST, DISTRESS],
        roles=["clinician", "peer", "network"],
        a=[
            "What worries you most about coming off {med}?",
            "Is there anything that frightens you about going to {place}?",
        ],
        b=[
            "what is it that worries you about {place}",
            "whats the scariest bit about stopping {med} for you",
        ],
    ),
    "preference_elicitation+invite_network": dict(
        tags={E},
        leads=[NEUTRAL],
        roles=["clinician", "peer"],
        a=[
            "{kin}, we haven't heard from you, what are you hoping for?",
            "{name}, what would you want for your brother from all this?",
        ],
        b=[
            "{kin} what would you like to see happen",
            "and {name} what do you want out of this",
        ],
    ),
    "preference_elicitation+ask_which_option": dict(
        tags={E, O},
        leads=[QUESTION, NEUTRAL],
        roles=["clinician", "network", "peer"],
        a=[
            "Would you rather lower {med} or keep it as it is?",
            "Which would you prefer, {place} or the home team?",
        ],
        b=[
            "would you rather drop it or keep it the same",
            "which do you prefer {place} or staying home with the team coming",
        ],
    ),
    "preference_elicitation-symptom_question": dict(
        tags=set(),
        leads=[NEUTRAL],
        roles=["clinician", "network"],
        a=[
            "How many hours are you sleeping at the moment?",
            "Have the voices been worse since you started {med}?",
        ],
        b=[
            "how are you sleeping",
            "are the voices any worse since {med}",
        ],
    ),
    "preference_elicitation-check_understanding": dict(
        tags=set(),
        leads=[ANSWERED, NEUTRAL],
        roles=["clinician", "peer"],
        a=[
            "So you'd rather stay at home, have I got that right?",
            "Does that make sense so far?",
        ],
        b=[
            "so you'd rather stay home is that right",
            "does that make sense",
        ],
    ),
    "preference_elicitation-own_preference": dict(
        tags=set(),
        leads=[ANSWERED, QUESTION],
        roles=["network", "service_user"],
        a=[
            "What I want is for him to stay at home with us.",
            "I'd much rather do {plan} than sit in the flat.",
        ],
        b=[
            "what i want is him home",
            "id rather do {plan} than sit in all day",
        ],
    ),
    "preference_elicitation-general_feeling": dict(
        tags=set(),
        leads=[NEUTRAL],
        roles=["clinician", "peer", "network"],
        a=[
            "How was your weekend?",
            "How's your mum doing these days?",
        ],
        b=[
            "how was the weekend",
            "hows your mum",
        ],
    ),
    # ---- peer_self_disclosure
    "peer_self_disclosure+own_treatment": dict(
        tags={D},
        leads=[DISTRESS, NEUTRAL, RESIST],
        roles=["peer"],
        a=[
            "I was on {med} myself for years, and the fog did lift in the end.",
            "When I had the injection, I hated it at first too, so I know what you mean.",
        ],
        b=[
            "i was on {med} myself for ages and it did get better",
            "i had the injection too hated it at first so i get it",
        ],
    ),
    "peer_self_disclosure+own_crisis": dict(
        tags={D},
        leads=[DISTRESS, NEUTRAL],
        roles=["peer"],
        a=[
            "I was sectioned twice in my twenties, so I know how frightening {place} can be.",
            "I've been in that place where you can't see a way out, and I'm still here.",
        ],
        b=[
            "i was sectioned twice myself so i know how scary it is",
            "ive been that low where you cant see a way out and im still here",
        ],
    ),
    "peer_self_disclosure+own_services": dict(
        tags={D},
        leads=[NEUTRAL, DISTRESS],
        roles=["peer"],
        a=[
            "When I first went to {plan}, I didn't say a word for weeks, so don't worry about being quiet.",
            "I used the crisis line a lot when I was unwell, and it helped me more than I expected.",
        ],
        b=[
            "when i first went to {plan} i never said a word for weeks so it's fine",
            "i rang the crisis line loads when i was ill and it helped",
        ],
    ),
    "peer_self_disclosure+own_recovery": dict(
        tags={D},
        leads=[DISTRESS, NEUTRAL],
        roles=["peer"],
        a=[
            "I still have bad days with the anxiety, and what helps me is telling someone early.",
            "It took me two years to feel like myself again after my breakdown, but it did happen.",
        ],
        b=[
            "i still get bad days myself and what helps me is telling someone early",
            "took me two years after my breakdown but i got there",
        ],
    ),
    "peer_self_disclosure-someone_else": dict(
        tags=set(),
        leads=[NEUTRAL, DISTRESS],
        roles=["network", "peer", "clinician"],
        a=[
            "My cousin was on {med} and it made him very sleepy.",
            "A lot of people at {plan} found the first weeks the hardest.",
        ],
        b=[
            "my cousin was on {med} and he was sleepy all the time",
            "loads of people at {plan} find the first few weeks hard",
        ],
    ),
    "peer_self_disclosure-professional": dict(
        tags=set(),
        leads=[NEUTRAL, QUESTION],
        roles=["clinician", "other"],
        a=[
            "In my experience as a nurse, the first month on {med} is usually the worst.",
            "I've worked on {place} for ten years, and most people settle within a few days.",
        ],
        b=[
            "in my experience as a nurse the first month on it is the worst",
            "ive worked on {place} ten years most people settle in a few days",
        ],
    ),
    "peer_self_disclosure-everyday_tiredness": dict(
        tags=set(),
        leads=[NEUTRAL],
        roles=["clinician", "peer", "network"],
        a=[
            "Sorry I'm late, I've had a really hectic morning.",
            "I've got a stinking cold this week, so bear with me.",
        ],
        b=[
            "sorry im late its been a mad morning",
            "ive got a horrible cold so bear with me",
        ],
    ),
}

OPENERS_A = ["", "", "Okay. ", "Right, ", "Well, ", "Listen, ", "{name}, ", "Honestly, "]
OPENERS_B = ["", "", "look ", "no but ", "yeah so ", "okay so ", "right ", "see "]

ASR_CONFUSIONS = {
    "section": "session",
    "sectioned": "sections",
    "clozapine": "close a pin",
    "olanzapine": "olan's a pin",
    "lithium": "lithy um",
    "sertraline": "certain line",
    "depot": "deep oh",
    "tribunal": "tribe you know",
    "crisis": "christus",
    "respite": "rest bite",
    "ward": "word",
    "injection": "infection",
    "advocate": "avocado",
}


def asr_noise(text: str, rng: random.Random) -> str:
    """An ASR-like rendering, unlike `spoken`: drops short function words, splices words,
    confuses clinical terms, loses punctuation and case."""
    t = norm(text)
    for a, b in ASR_CONFUSIONS.items():
        if rng.random() < 0.5:
            t = re.sub(rf"\b{re.escape(a)}\b", b, t)
    words = [w for w in t.split() if not (len(w) <= 3 and rng.random() < 0.12)]
    if len(words) > 6 and rng.random() < 0.3:
        cut = rng.randint(len(words) // 2, len(words) - 1)
        words = words[:cut] + words[cut + 1 :]
    return " ".join(words)


def _fill(rng: random.Random, text: str) -> str:
    return (
        text.replace("{med}", rng.choice(TOPICS["med"]))
        .replace("{place}", rng.choice(TOPICS["place"]))
        .replace("{plan}", rng.choice(TOPICS["plan"]))
        .replace("{name}", rng.choice(NAMES))
        .replace("{kin}", rng.choice(KIN))
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    for rule, spec in RULES.items():
        for family in ("a", "b"):
            for k, clause in enumerate(spec[family]):
                frame = f"{rule}:{family}{k}"
                for _ in range(6 if family == "a" else 5):
                    opener = rng.choice(OPENERS_A if family == "a" else OPENERS_B)
                    lower = opener.endswith(", ") and not clause.startswith(("I ", "I'"))
                    body = clause[:1].lower() + clause[1:] if lower else clause
                    text = _fill(rng, opener + body)
                    text = _capital(text) if family == "a" else text
                    form = "written"
                    if family == "b":
                        text, form = spoken(text, rng, may_cut=False), "spoken"
                    elif rng.random() < 0.2:
                        text, form = asr_noise(text, rng), "asr_noisy"
                    pool = rng.choice(spec["leads"])
                    lead = _fill(rng, rng.choice(pool))
                    same = rng.random() < 0.1 and pool is NEUTRAL  # now and then the speaker's own earlier turn
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


def _known_texts() -> set[str]:
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from dialogic.tagging.codebook import load_codebook_examples

    known = {norm(e.text) for e in load_codebook_examples()}
    for path in (
        HERE.parent / "heldout" / "written.jsonl",
        HERE.parent / "heldout" / "asr.jsonl",
        HERE / "utterances.jsonl",
        HERE / "realistic.jsonl",
        HERE / "boundary.jsonl",
    ):
        if path.is_file():
            known |= {norm(json.loads(line)["text"]) for line in path.read_text().splitlines() if line.strip()}
    return known


def _checks() -> list[set[str]]:
    from dialogic.tagging.codebook import load_codebook_examples

    texts = [e.text for e in load_codebook_examples()]
    for path in (HERE.parent / "heldout" / "written.jsonl", HERE.parent / "heldout" / "asr.jsonl"):
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return [set(norm(t).split()) for t in texts]


def _too_close(text: str, known_words: list[set[str]]) -> bool:
    words = set(norm(text).split())
    return any(len(words & k) >= 0.8 * len(words | k) for k in known_words if k)


def keep_new(rows: list[dict], known: set[str], checks: list[set[str]], also_drop=None) -> tuple[list[dict], int]:
    """``rows`` less empty texts and repeats, and less (near) copies of held-out, codebook or
    other corpus utterances (and any row ``also_drop`` names); with how many were dropped."""
    seen: set[str] = set()
    out, dropped = [], 0
    for row in rows:
        key = norm(row["text"])
        if not key or key in seen:
            continue
        close = len(key.split()) >= 4 and _too_close(row["text"], checks)
        if key in known or close or (also_drop is not None and also_drop(key)):
            dropped += 1
            continue
        seen.add(key)
        out.append(row)
    return out, dropped


def write_rows(rows: list[dict], path: Path, *, id_prefix: str, split_prefix: str) -> None:
    """Number ``rows``, split them by frame (a stable hash), and write them as JSON lines with
    one 0/1 column per tag, leaving out the tags a row's rule leaves unjudged."""
    keys = ["id", "text", "speaker_role", "split", *TAGS, "rule", "frame", "form", "prev_text", "prev_same"]
    with open(path, "w", encoding="utf-8") as f:
        for i, row in enumerate(rows, start=1):
            row["id"] = f"{id_prefix}-{i:05d}"
            row["split"] = stable_split(split_prefix + row["frame"])
            row.update({t: int(t in row["labels"]) for t in TAGS})
            # a tag the rule leaves open (an offer that names two courses?) is not judged
            f.write(json.dumps({k: row[k] for k in keys if k not in row["unjudged"]}, ensure_ascii=False) + "\n")


def main() -> None:
    out, dropped = keep_new(build(), _known_texts(), _checks())
    write_rows(out, OUT, id_prefix="rule", split_prefix="rules:")
    print(
        len(out),
        "rows;",
        dropped,
        "dropped as (near) copies;",
        dict(Counter(r["split"] for r in out)),
        {t: sum(r[t] for r in out) for t in TAGS},
        "no tag",
        sum(1 for r in out if not any(r[t] for t in TAGS)),
        dict(Counter(r["form"] for r in out)),
    )


if __name__ == "__main__":
    main()
