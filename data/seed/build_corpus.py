"""Write the labelled seed corpus ``data/seed/utterances.jsonl`` (written for dialogic, not recorded).

The corpus is assembled from hand-written parts: topic vocabularies (options, consequences,
facts, questions) for twelve areas of care, and several hundred hand-written sentence frames
and whole utterances per category. Each frame belongs to one category with fixed labels, so
every utterance's labels follow from how it was written. Spoken style comes from the same
disfluency pass applied to every category alike (hedges, false starts, fillers, trailing tags,
and a share rendered as lowercase unpunctuated ASR output), so style carries no label signal.

The split is by frame, not by utterance: all utterances built from one frame land in the same
split, so test figures measure generalisation to phrasings the model never saw.

Run: ``python data/seed/build_corpus.py`` (deterministic; seed fixed below).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

from dialogic.tagging.codebook import TAGS, load_codebook_examples, normalise_text

SEED = 20260311
OUT = Path(__file__).resolve().parent / "utterances.jsonl"

# --------------------------------------------------------------------------------------------
# Topic vocabularies. Options are base-form verb phrases ("stay on the depot") so frames can say
# "we could {a}", "you need to {push}", "whether to {a} or {b}".
# --------------------------------------------------------------------------------------------

TOPICS: dict[str, dict[str, list[str]]] = {
    "medication": {
        "thing": [
            "the medication",
            "the olanzapine",
            "the tablets",
            "your meds",
            "the dose",
            "the clozapine",
            "the antidepressant",
        ],
        "options": [
            "stay on the same dose for now",
            "come down to a lower dose",
            "stop the tablets altogether",
            "switch to something like aripiprazole",
            "wait a few weeks before changing anything",
            "take it at night instead of the morning",
            "reduce it really slowly over a few months",
            "try a break from it with more support around you",
            "go onto the depot instead of tablets",
            "keep the sertraline but drop the quetiapine",
        ],
        "push": [
            "stay on the medication",
            "keep taking the tablets",
            "have the injection",
            "take the clozapine every day",
            "stay on the depot",
        ],
        "cons": [
            "you'll be back on the ward by Christmas",
            "you'll relapse, it's as simple as that",
            "the voices will come back worse",
            "we'll be straight back to where we were in the spring",
            "you could lose everything you've built up",
        ],
        "auth": [
            "the consultant has been really clear about this",
            "Dr Patel has already made the decision",
            "the community treatment order says you have to take it",
            "under the Mental Health Act we can make it a condition",
            "the guidelines say two years minimum after an episode like that",
        ],
        "threat": [
            "we'll have to look at recalling you to hospital",
            "I'll be ringing the consultant today",
            "I'm not going to keep driving you to appointments",
        ],
        "facts": [
            "The depot's given every two weeks at the clinic on Thursdays.",
            "Olanzapine can make you hungrier, that's quite a common one.",
            "The bloods for the clozapine are weekly for the first eighteen weeks.",
            "Lithium needs the levels checking every three months or so.",
            "Quetiapine is quite sedating at lower doses, that's why it's often given at night.",
            "The pharmacy can do the tablets in a blister pack if that helps.",
            "Coming off too fast can cause withdrawal effects, so any change would be gradual.",
        ],
        "symptom_q": [
            "Are you still taking the ten milligrams?",
            "When did you last have the injection?",
            "Have you noticed any side effects this week?",
            "How many tablets are you actually taking at the moment?",
            "Is the shaking in your hands any better?",
        ],
        "own_wish": [
            "I'd really like to come off the olanzapine.",
            "I want to stop the injections, I've had enough of them.",
            "I'd rather stay on what I'm on, it's working.",
            "I just want to be on as little as possible.",
            "I'd like to try without the quetiapine, that's what I want.",
        ],
        "done": [
            "So we agreed last time you'd stay on the ten milligrams until March.",
            "Right, so that's settled, you're coming down to five and we'll review in six weeks.",
            "Since we changed you over to the aripiprazole, how have things been?",
            "The decision to stop the lithium was made back in June with Dr Okafor.",
        ],
        "single": [
            "Maybe try taking it an hour earlier and see if the mornings are better.",
            "It might be worth mentioning the weight gain to the GP.",
            "Could you keep a note of when you take it this week?",
            "Perhaps set an alarm on your phone for the evening dose.",
        ],
    },
    "admission": {
        "thing": ["going into hospital", "the admission", "the ward", "a hospital bed", "home treatment"],
        "options": [
            "go into hospital for a short stay",
            "stay at home with the home treatment team visiting daily",
            "go to the crisis house for a few nights",
            "stay with your mum for a bit",
            "wait until tomorrow and meet again",
            "have the crisis team come out twice a day",
            "go in voluntarily rather than anything else",
            "try a few nights at the recovery house",
        ],
        "push": ["go into hospital", "come in tonight", "accept the bed", "go in voluntarily"],
        "cons": [
            "it'll end up being a section, and nobody wants that",
            "someone's going to get hurt",
            "you'll lose the flat if this carries on",
            "things will just keep getting worse",
        ],
        "auth": [
            "if you won't come in, we'll have to do a Mental Health Act assessment",
            "the AMHP has already been called",
            "the consultant says it's hospital or a section",
            "the law's quite clear when there's this much risk",
        ],
        "threat": [
            "I'll have to call the police",
            "we'll be doing a Mental Health Act assessment this afternoon",
            "I'm not having you back here",
        ],
        "facts": [
            "The crisis house has six beds and you can stay up to a week.",
            "Home treatment visits are usually once or twice a day to start with.",
            "On an informal admission you can ask to leave, though staff would want to talk it through first.",
            "The ward is on the second floor and visiting is from two till eight.",
            "The nearest bed at the moment is in Northampton, which is about an hour away.",
        ],
        "symptom_q": [
            "How long were you on the ward last time?",
            "Have you been eating anything today?",
            "Did you go out at all yesterday?",
            "When did you last feel like this?",
            "Are you feeling safe at the moment?",
        ],
        "own_wish": [
            "I don't want to go back in, I really don't.",
            "I'd rather be at home with my own things around me.",
            "I want to go in, honestly, I need a rest from everything.",
            "I'd prefer the crisis house to the ward.",
        ],
        "done": [
            "So the plan we made on Monday was home treatment for two weeks.",
            "He's agreed to go in tonight, the bed's confirmed.",
            "Since you came home from the ward, how have things been?",
            "We decided not to admit last week and that's held.",
        ],
        "single": [
            "It might help to pack a bag just in case, so it's there.",
            "Maybe ring the crisis line tonight if it gets bad.",
            "Could you let your sister know what's happening?",
            "Perhaps write down what helped last time you were in.",
        ],
    },
    "sleep": {
        "thing": ["your sleep", "the nights", "sleeping", "the sleeping tablets", "your bedtime routine"],
        "options": [
            "try the zopiclone for a week",
            "stick to a set bedtime without any tablets",
            "cut the coffee out after lunch",
            "keep a sleep diary for a fortnight first",
            "leave things as they are for now",
            "try the sleep app the GP mentioned",
            "sleep downstairs for a while",
            "get up at the same time every day regardless",
        ],
        "push": ["take the sleeping tablet tonight", "stop staying up gaming all night", "be in bed by eleven"],
        "cons": [
            "you'll be manic again within the week",
            "you won't cope with anything",
            "it'll all spiral like last time",
        ],
        "auth": ["the doctor said you have to take it every night", "the ward rules say lights out at half eleven"],
        "threat": ["I'm taking the console out of your room", "I'll be telling the team you're not sticking to it"],
        "facts": [
            "Zopiclone is usually only prescribed for a short time, a couple of weeks.",
            "Most adults need somewhere between seven and nine hours.",
            "Caffeine can stay in your system for six hours or more.",
            "Poor sleep is often one of the first signs before things get harder.",
        ],
        "symptom_q": [
            "How many hours are you getting most nights?",
            "What time are you going to bed at the moment?",
            "Are you waking up in the night?",
            "Did you sleep at all last night?",
            "Are the nightmares still happening?",
        ],
        "own_wish": [
            "I'd like to sort my sleep out without tablets.",
            "I just want one decent night's sleep.",
            "I'd rather not take anything to sleep.",
        ],
        "done": [
            "So we agreed you'd try the diary for two weeks.",
            "You've been on the zopiclone since Tuesday, like we decided.",
        ],
        "single": [
            "Maybe try putting your phone in the kitchen at night.",
            "A warm bath before bed might help a bit.",
            "It could be worth writing the worries down before you go to bed.",
        ],
    },
    "work": {
        "thing": ["going back to work", "your job", "work", "the phased return", "the warehouse job"],
        "options": [
            "go back part time on a phased return",
            "stay off for another month",
            "look at a different role in the same company",
            "talk to occupational health first",
            "try some volunteering before going back",
            "hand your notice in and have a proper break",
            "do two mornings a week to start",
            "ask about working from home for a while",
        ],
        "push": ["go back to work on Monday", "hand the sick note in", "ring your manager today", "stay off work"],
        "cons": [
            "you'll lose the job altogether",
            "they'll start a capability process",
            "you'll end up right back where you were",
            "the money's going to run out",
        ],
        "auth": [
            "the sick note runs out on Friday and the GP won't sign another",
            "company policy is you have to see occupational health first",
            "HR said it's back by the first or they'll review it",
        ],
        "threat": ["I'm not paying your phone bill anymore", "I'll stop covering for you with your boss"],
        "facts": [
            "Occupational health usually want to see you before a phased return.",
            "Statutory sick pay lasts up to twenty eight weeks.",
            "Your manager has said the job's held open until the end of the month.",
            "Access to Work can sometimes fund support in the workplace.",
        ],
        "symptom_q": [
            "When did you last go in?",
            "How many hours were you doing before?",
            "Have you heard from your manager?",
            "What's the commute like from yours?",
        ],
        "own_wish": [
            "I want to go back, I miss it.",
            "I'd rather not go back to that job, if I'm honest.",
            "I'd like to try something different altogether.",
        ],
        "done": [
            "So it's settled, you're back two mornings from the fifteenth.",
            "HR signed off the phased return last week.",
        ],
        "single": [
            "It might be worth ringing occupational health this week.",
            "Maybe draft an email to your manager and we can look at it together.",
        ],
    },
    "housing": {
        "thing": ["the flat", "where you're living", "the move", "the housing situation", "the tenancy"],
        "options": [
            "stay in the flat with more support",
            "move back in with your parents for a while",
            "apply for supported accommodation",
            "ask the council for a transfer",
            "wait until the tenancy's up in the summer",
            "look at a shared house with the housing association",
        ],
        "push": ["move into the supported flat", "sign the tenancy", "let the support worker in", "move back home"],
        "cons": [
            "you'll end up homeless",
            "the landlord will evict you",
            "you'll be on your own with nobody checking in",
        ],
        "auth": [
            "the housing officer said it's this or nothing",
            "the council won't keep the offer open past Friday",
            "the tenancy agreement says you have to allow access",
        ],
        "threat": ["I'm not having you back in the house", "we'll stop paying the deposit"],
        "facts": [
            "Supported accommodation usually has a worker on site in the daytime.",
            "The waiting list for a transfer is about eighteen months at the moment.",
            "Housing benefit can cover some of the rent in a shared house.",
        ],
        "symptom_q": [
            "How long have you been in the flat?",
            "Is the heating working now?",
            "Have the neighbours been any quieter?",
            "Who else has a key to the flat?",
        ],
        "own_wish": [
            "I want to stay in my flat.",
            "I'd rather be on my own than in a shared house.",
            "I'd like to move closer to my daughter.",
        ],
        "done": ["So the move's booked for the twelfth.", "We agreed you'd stay put until the summer."],
        "single": [
            "Maybe ask the housing officer for that in writing.",
            "It might be worth speaking to Shelter about the deposit.",
        ],
    },
    "family": {
        "thing": [
            "things at home",
            "the arguments at home",
            "how the family's involved",
            "contact with your dad",
            "the kids",
        ],
        "options": [
            "have the family come to every meeting",
            "meet just the two of you for a bit",
            "have a separate meeting with your parents",
            "take a break from contact with your dad",
            "bring your partner in next time",
            "keep things as they are at home for now",
        ],
        "push": ["let your mum come to the meetings", "move out of your dad's", "tell your partner everything"],
        "cons": ["the family will fall apart", "the kids are going to suffer", "you'll push everyone away"],
        "auth": ["social services have said the children can't be around it", "the court order is clear on contact"],
        "threat": ["I'll stop you seeing the grandchildren", "I'm going to ring social services"],
        "facts": [
            "Family members can come to the network meetings whenever the person wants them there.",
            "There's a carers' group that meets on the first Wednesday of the month.",
            "Carers are entitled to their own assessment from the council.",
        ],
        "symptom_q": [
            "Who's living at home at the moment?",
            "How often do you see your dad?",
            "Did your brother come round at the weekend?",
            "How old are the kids now?",
        ],
        "own_wish": [
            "I want my mum here, she helps.",
            "I'd rather my dad wasn't at these meetings.",
            "I'd like us to stop arguing, that's all I want.",
        ],
        "done": [
            "We said last time your sister would come to these, and she has.",
            "So it's agreed, the kids stay with their nan on weekdays.",
        ],
        "single": [
            "Maybe have a chat with your mum before the next meeting.",
            "It might help to write your dad a letter.",
        ],
    },
    "crisis_plan": {
        "thing": [
            "the crisis plan",
            "what happens if things get bad again",
            "the relapse plan",
            "the early warning signs",
            "the advance statement",
        ],
        "options": [
            "put the crisis team's number first on the plan",
            "have your mum as the first person to call",
            "write an advance statement",
            "agree to go to the crisis house rather than hospital",
            "keep the plan as it is",
            "add the early signs your partner notices",
        ],
        "push": ["sign the crisis plan today", "give us your sister's number", "agree to hospital if it happens again"],
        "cons": [
            "nobody will know what to do next time",
            "it'll be the police again",
            "you'll end up in A and E for hours",
        ],
        "auth": ["the trust requires a crisis plan before discharge", "policy says we can't discharge you without it"],
        "threat": ["we won't be able to discharge you", "I'll just call an ambulance next time"],
        "facts": [
            "The crisis line is open twenty four hours, the number's on the back of the card.",
            "An advance statement isn't legally binding but the team has to take it into account.",
            "The plan gets shared with the GP and the crisis team.",
        ],
        "symptom_q": [
            "What happened the last time things got bad?",
            "Who did you call last time?",
            "How did you get to A and E?",
            "Who's got a copy of the plan?",
        ],
        "own_wish": [
            "I want my sister to be the one who's called.",
            "I'd rather not have the police involved ever again.",
            "I'd like it written down that I don't want haloperidol.",
        ],
        "done": [
            "So the crisis plan we signed off last week has your mum as the first contact.",
            "We've already put the crisis house in the plan.",
        ],
        "single": [
            "Maybe keep a copy of the plan in your phone.",
            "It could help to give your neighbour the crisis number.",
        ],
    },
    "therapy": {
        "thing": ["therapy", "the CBT", "the family therapy", "the group", "talking therapy", "the trauma work"],
        "options": [
            "start the CBT now",
            "wait for the trauma therapy",
            "try the hearing voices group",
            "do some family sessions first",
            "go to the group and see how it feels",
            "have one-to-one sessions instead of the group",
            "hold off on therapy until things settle",
        ],
        "push": ["go to the group", "start the CBT", "do the homework between sessions", "see the psychologist"],
        "cons": ["you'll get taken off the list", "you'll lose your place", "you'll never get on top of this"],
        "auth": [
            "the psychologist says you need to do it before anything else",
            "the service won't offer it again if you miss three",
        ],
        "threat": ["I'll be telling them you're not engaging", "we'll discharge you from the team"],
        "facts": [
            "The wait for psychology is about nine months at the moment.",
            "The hearing voices group meets on Tuesday afternoons at the library.",
            "CBT is usually around sixteen sessions, once a week.",
        ],
        "symptom_q": [
            "How many sessions have you had so far?",
            "Did you go to the group last week?",
            "What did you do in the last session?",
            "Is it the same therapist as before?",
        ],
        "own_wish": [
            "I'd like to do the group, I think.",
            "I don't want to talk about the past, I just don't.",
            "I'd rather see someone on my own.",
        ],
        "done": [
            "So you started the CBT on the third like we planned.",
            "We decided on family sessions first and they've begun.",
        ],
        "single": [
            "Maybe try writing down what comes up between sessions.",
            "It could be worth asking the therapist about evening slots.",
        ],
    },
    "benefits": {
        "thing": ["the PIP claim", "the benefits", "the assessment", "money", "the universal credit"],
        "options": [
            "appeal the PIP decision",
            "ask for a mandatory reconsideration first",
            "get Citizens Advice to help with the form",
            "leave it and reapply in six months",
            "ask for a home assessment instead",
            "let your dad act as appointee",
        ],
        "push": [
            "go to the assessment",
            "fill the form in this week",
            "appeal the decision",
            "let the support worker handle it",
        ],
        "cons": ["they'll stop your money", "you'll get sanctioned", "you won't be able to pay the rent"],
        "auth": [
            "the DWP says you have to attend or it's closed",
            "the rules are you've got a month to ask for reconsideration",
        ],
        "threat": ["I won't keep lending you money", "I'll stop helping with the forms"],
        "facts": [
            "You've got one month from the date on the letter to ask for a reconsideration.",
            "The assessment can be done over the phone now.",
            "Citizens Advice do a drop-in on Wednesday mornings.",
        ],
        "symptom_q": [
            "When's the assessment?",
            "Did the letter say how much?",
            "Have you got a copy of the form?",
            "Who's your work coach?",
        ],
        "own_wish": [
            "I want to appeal it, it's not fair.",
            "I'd rather not go through all that again.",
            "I'd like someone to come with me to the assessment.",
        ],
        "done": ["So the reconsideration went in on Tuesday.", "We agreed Citizens Advice would help with the appeal."],
        "single": [
            "Maybe ring them and ask for a phone assessment.",
            "It might be worth keeping copies of everything.",
        ],
    },
    "safety_plan": {
        "thing": ["the safety plan", "keeping you safe", "the self-harm", "the nights when it gets bad", "the urges"],
        "options": [
            "put the razors somewhere else in the house",
            "have someone stay with you for the next few nights",
            "ring the crisis line when the urges start",
            "come to the daily check-ins for a week",
            "use the distraction list first",
            "keep things as they are but add your sister's number",
            "have the home treatment team visit at night",
        ],
        "push": [
            "hand over the tablets",
            "let your mum look after the medication",
            "ring us every day",
            "give me the blades",
        ],
        "cons": [
            "you might not be here next week",
            "we'll have to think about hospital",
            "it could go a lot further next time",
        ],
        "auth": ["with this level of risk we have a duty to act", "policy says we have to share it with your GP"],
        "threat": ["I'll have to call the crisis team right now", "we'll be looking at a section"],
        "facts": [
            "Samaritans are on one one six one two three, any time of day or night.",
            "The safety plan usually lists warning signs, things that help and people to contact.",
            "The Shout text line is free from most networks.",
        ],
        "symptom_q": [
            "Have you hurt yourself since we last met?",
            "Have you had any thoughts of ending your life this week?",
            "Where are the tablets kept now?",
            "When did the urges start again?",
            "How are the cuts healing?",
        ],
        "own_wish": [
            "I want to keep my own tablets, I'm not a child.",
            "I'd like my sister on the plan, not my mum.",
            "I'd rather text than ring when it's bad.",
        ],
        "done": [
            "So we agreed your mum would keep the tablets for now.",
            "The safety plan's been updated with the new numbers.",
        ],
        "single": ["Maybe keep the plan by your bed.", "It might help to tell your flatmate the signs to look for."],
    },
    "substances": {
        "thing": ["the cannabis", "the drinking", "the weed", "going out at weekends"],
        "options": [
            "cut down gradually",
            "stop the cannabis completely",
            "try the drug and alcohol service",
            "keep using but not on weekdays",
            "switch from skunk to something milder",
            "leave it for now and talk again next month",
        ],
        "push": ["stop smoking weed", "give up the drink", "go to the alcohol service", "stop going out with that lot"],
        "cons": ["it'll make you psychotic again", "you'll end up back in hospital", "you'll lose the flat"],
        "auth": ["the tenancy says no drugs on the premises", "your probation officer says it's a condition"],
        "threat": ["I'll throw you out", "I'll tell your probation officer"],
        "facts": [
            "Skunk has a lot more THC than older types of cannabis.",
            "The drug and alcohol service do a walk-in on Mondays.",
            "Stopping drinking suddenly after heavy use can be dangerous without support.",
        ],
        "symptom_q": [
            "How much are you smoking a day?",
            "When did you last have a drink?",
            "How much are you spending on it a week?",
        ],
        "own_wish": [
            "I want to keep smoking, it calms me down.",
            "I'd like to cut down on my own terms.",
            "I want to stop, I'm sick of it.",
        ],
        "done": [
            "So you've been off it three weeks now, like we said.",
            "We agreed you'd see the alcohol worker on Fridays.",
        ],
        "single": [
            "Maybe try not smoking before bed for a week.",
            "It might help to keep a note of how much you're using.",
        ],
    },
    "college": {
        "thing": ["college", "the course", "your exams", "going back to uni", "the apprenticeship"],
        "options": [
            "go back in September",
            "defer for a year",
            "go part time",
            "switch to the online course",
            "ask for extra time in the exams",
            "drop one of the modules",
        ],
        "push": ["go back to college", "sit the exams", "finish the course", "drop out now"],
        "cons": [
            "you'll throw it all away",
            "you'll never get another place",
            "you'll have to pay the loan back for nothing",
        ],
        "auth": ["the college said it's September or you lose the place", "the student finance rules are clear on it"],
        "threat": ["I'm not paying for another year", "I'll stop your allowance"],
        "facts": [
            "Disabled Students' Allowance can pay for a mentor.",
            "The deferral form has to be in by the end of July.",
            "The student support team can arrange extra time in exams.",
        ],
        "symptom_q": [
            "What year are you in now?",
            "When are the exams?",
            "Have you spoken to your tutor?",
            "How many modules are left?",
        ],
        "own_wish": [
            "I want to finish my course.",
            "I'd rather not go back this year.",
            "I'd like to do it part time.",
        ],
        "done": ["So you've deferred, the form's gone in.", "We agreed you'd go back part time and that's all sorted."],
        "single": ["Maybe email your tutor this week.", "It might be worth asking the student support team."],
    },
}

PEOPLE = ["Mum", "Dad", "Sarah", "Tom", "Gran", "Jamie", "Priya", "Kev", "Nadia", "Auntie Jo", "Michael", "Lou"]

# --------------------------------------------------------------------------------------------
# Frames. Each frame is (key, labels, roles, text); frames use {a} {b} {c} (options),
# {push} {cons} {auth} {threat} {thing} {person}. Labels list the tags that are positive.
# --------------------------------------------------------------------------------------------

P, O, E, D = "persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure"
CLIN = ("clinician",)
PUSHERS = ("clinician", "clinician", "network", "network", "other")
ANY_STAFF = ("clinician", "clinician", "peer", "network")
ANYONE = ("clinician", "network", "peer", "service_user", "other")

PERSUASION_FRAMES = [
    "I really think you need to {push}, I'm not sure there's any other way round it.",
    "Honestly, the only sensible thing right now is to {push}.",
    "We've been over this, you need to {push}.",
    "I hear what you're saying but you have to {push}, full stop.",
    "If you don't {push}, {cons}, and I don't want that for you.",
    "Look, {auth}, so we're going to have to {push}.",
    "I know you don't want to, but I'm going to say it again, you need to {push}.",
    "There isn't really a choice here, love, you've got to {push}.",
    "With respect, that's not a good idea, the right thing is to {push}.",
    "Can we just agree you'll {push}? Because otherwise {cons}.",
    "I'm not going to pretend there's another option, you need to {push}.",
    "If it was up to me you'd {push} today, no arguments.",
    "{auth}, so it's not really up for debate.",
    "You keep saying you'll think about it but we're past that now, you need to {push}.",
    "I'd strongly, strongly advise you to {push}, because {cons}.",
    "Everyone in this room thinks you should {push}, so I think you should listen to that.",
    "If you don't {push} then {threat}.",
    "The doctors know best on this one, you should {push}.",
    "You can't keep saying no, you need to {push}, it's for your own good.",
    "I'm sorry but the other way just isn't an option, you need to {push}.",
    "You're not well enough to make that call right now, so we need you to {push}.",
    "Please, just {push}, I can't go through last time again.",
    "I know you think you're fine but you're not, and you need to {push}.",
    "Trust me, {cons} if you carry on like this. You need to {push}.",
    "We did it your way last time and look what happened, so this time you {push}.",
    "I'm going to be really straight with you, {cons} unless you {push}.",
    "Whatever you decide about the rest, you're going to {push}, that bit's not negotiable.",
    "You don't really get a say on this one I'm afraid, {auth}.",
    "I've said it before and I'll keep saying it, {push}.",
    "No, no, that's not going to work. You {push}, that's the plan.",
    "Let's not go round in circles, you need to {push} and that's that.",
    "I'm sorry, I know it's hard, but if you won't {push}, {threat}.",
    "Think about your mum, think about everyone, and just {push}.",
    "Any reasonable person would {push} in your shoes, I think you know that.",
    "I don't think the worries about it are really the point, you need to {push}.",
    "Yeah, I know you've read stuff online, but honestly ignore it, you need to {push}.",
    "It's not me saying it, {auth}. So you need to {push}.",
    "Last chance, really, either you {push} or {threat}.",
    "Surely you can see that {cons}? So {push}, please.",
    "I'm not asking, I'm telling you, you need to {push}.",
    "We'll keep coming back to this until you {push}, I'm afraid.",
    "Mate, you need to {push}, you know it and I know it.",
    "The evidence is really clear, so there's no point debating it, you should {push}.",
    "If you care about the kids at all you'll {push}.",
    "It has to be done, you need to {push}, there's nothing else for it.",
    "Honestly, what else is there? You {push}, that's the only real answer.",
    "I'm not sure you understand how serious this is, you need to {push}.",
    "Don't take this the wrong way, but your plan won't work. You need to {push}.",
    "I'll keep saying it until it sinks in, {push}.",
    "You've had your chance to try it your way, now you {push}.",
    "Nobody here agrees with you on this, so you {push}.",
    "It's really simple, {push}, or {cons}.",
    "You'll {push}, won't you? Because I'm not asking again.",
    "Sorry but I'm putting my foot down, you {push}.",
    "We're not debating it anymore, {auth}.",
]

PERSUASION_WHOLE = [
    "Stopping now would be madness, you know that, you've seen what happens.",
    "You're staying on it. End of discussion.",
    "I'm not having this conversation again, you're taking the tablets.",
    "We can't keep going round the houses, he's got to go in tonight.",
    "If she won't have the injection, the team will have to take it further, there's no two ways about it.",
    "You keep saying the side effects are bad but honestly they're nothing compared to being ill.",
    "I don't care about the weight, I care about you being well, so you're taking it.",
    "Look, the section papers are there if we need them, I'd rather not, so let's just do this the easy way.",
    "Every single time you've stopped, you've ended up on the ward. Every time. So no.",
    "That's just the illness talking, you need the medication.",
    "No one's going to support you stopping, so you might as well accept it now.",
    "I know what you want, but what you want isn't what's best right now, I'm sorry.",
    "The team has decided, the dose stays where it is.",
    "Son, you're going to that assessment if I have to drag you there myself.",
    "If you walk out of this meeting, I'm phoning the crisis team, I mean it.",
    "It's the injection or it's the ward, those are really the only two ways this goes, and you know which one's better.",
    "I hear you, I do, but we're not reducing it, it's too risky.",
    "She needs to be in hospital, I've been saying it for weeks and nobody listens.",
    "I've told him, no tablets, no living here. Simple as that.",
    "There's honestly no point trying anything else, the clozapine's the only thing that's ever worked.",
    "You signed the plan, so you'll stick to the plan.",
    "Whatever the voices are telling you, you keep taking them, alright?",
    "Don't even think about coming off it until the consultant says so.",
    "We're not going to do the reduction, I've already told the pharmacy to keep it the same.",
    "Honestly, I think you're being naive about this, you'll be back in within a month if you stop.",
    "The Mental Health Act is there for a reason, and if it comes to it, we'll use it.",
    "Going back to work now would be a huge mistake, you're staying off and that's final.",
    "You're moving back home, I'm not arguing about it anymore.",
    "You can think about therapy later, right now it's the medication, nothing else.",
    "I'm sorry, but your objections don't really change the clinical picture.",
    "Come on, we both know you'll do it in the end, so let's just get it done today.",
    "I'll be honest, if you don't go to the group they'll close your case, so you'd better go.",
    "Nobody's forcing you, but if you don't take it you won't be allowed home leave, so.",
    "It's not worth the risk. You're keeping the depot. I don't want to hear any more about stopping.",
    "we need you to stay on it there's no other way and I think deep down you know that",
    "you have to go in tonight I'm sorry but you have to",
    "if you stop now you'll be back on the ward in weeks so no we're not doing that",
    "Look, I've been doing this job fifteen years, and I'm telling you, you need the medication.",
    "Fine, you don't like it, but you're still taking it.",
    "Right, I think we've heard enough, the sensible choice is obvious and we'll go with it.",
    "The licence conditions say you go to every appointment, so you go, end of.",
    "It's in the tenancy, you let the support worker in, whether you like it or not.",
    "The court's told you to engage with the team, so there's nothing to discuss really.",
    "Your work coach says if you miss another one they'll sanction you, so you're going.",
    "Rules are rules, I'm afraid, you'll have to do the group if you want to stay in the hostel.",
    "The ward policy says you take your evening meds, so that's what's happening.",
    "The DWP aren't going to care about your reasons, you'll go to that assessment.",
    "The order's there for a reason, you stick to it, whatever you think of it.",
]

OPTION_FRAMES = [
    "So I suppose there's a few ways we could go, we could {a}, or {b}, or even just {c}.",
    "One option is to {a}, another would be to {b}.",
    "What are the options here, like, could I {a} or {b}?",
    "We could {a}, or we could {b} and see how it goes.",
    "Is it better to {a}, or to {b}? I'm never sure.",
    "The way I see it there's two choices really, {a} or {b}.",
    "Another possibility would be to {b} rather than {a}.",
    "Doing nothing is an option too, we don't have to {a} straight away.",
    "Some people {a}, some people {b}, and some just leave it for a while.",
    "We could {a}, the upside being things stay steady, or {b}, which gives you a bit more control.",
    "Rather than having to {a}, what about trying to {b}?",
    "I wonder if it'd help to lay out the options, so there's to {a}, there's to {b}, and there's waiting.",
    "Are there other options apart from that? Like could we {b} instead?",
    "If we {a} we'd know more in a month, whereas if we {b} it might take a bit longer to tell.",
    "Can we talk through the choices? Either {a} or {b}, or a bit of both.",
    "You could {a}, or you could {b}, or you could wait and see, there's no rush.",
    "Could we not {b} instead of having to {a}?",
    "So, option one, {a}. Option two, {b}. And option three is we leave things as they are for now.",
    "We've talked about whether to {a}, but I'd like us to think about whether to {b} too.",
    "What would happen if we didn't {a} and tried to {b} instead?",
    "There's a few things on the table, to {a}, to {b}, or to {c}.",
    "The choice is really between trying to {a} and trying to {b}, and both have their downsides.",
    "What other options have we got? I know we could {a}, but is there anything else?",
    "Part of me thinks we should {a}, part of me thinks we should {b}, I honestly can't decide.",
    "Weighing it up, to {a} is more of a safe bet, but to {b} might suit your life better.",
    "One thing we haven't talked about is whether to {c}, as well as the idea to {a}.",
    "If the choice is to {a} or to {b}, the first is quicker, the second's gentler.",
    "I'm just thinking out loud, but we could {a} now and {b} later, or the other way round.",
    "Could I {a}, or would it make more sense to {b}?",
    "There's no one right answer, people {a}, people {b}, it really varies.",
    "Should we {a}? Or {b}? Or just leave it a month and meet again?",
    "We can {a}, we can {b}, or we can hold off for now, they're all on the table.",
    "So the alternatives to that would be to {b}, or to {c}.",
    "Last time we said we'd look at two routes, to {a} or to {b}, so shall we go through them?",
    "I know the team suggested we {a}, but I read you can also {b}, is that right?",
    "What's the difference between trying to {a} and trying to {b}, in practice?",
    "Do people usually {a}, or is it more common to {b}?",
    "Can I ask what the alternatives are, if I didn't want to {a}?",
    "What happens if we wait instead of deciding to {a} now?",
    "Apart from trying to {a}, what else could we do?",
    "There's more than one way to do this. We could {a}. Or {b}. Or we just wait.",
    "I suppose the question is whether we {a} or whether we {b}.",
    "Is waiting an option, or do we have to {a} now?",
    "Could we do both, {a} first and then {b} if that doesn't help?",
    "On one hand we could {a}, on the other hand we could {b}.",
    "The pros of trying to {a} are it's quicker, the cons are it's a bigger change, whereas to {b} is slower but gentler.",
    "What's stopping us trying to {b} instead of having to {a}?",
    "Is it a case of {a} or {b}, or are there other routes?",
    "I was reading that some people {a} and others {b}, so there's a range.",
    "If we don't {a}, the other thing would be to {b}.",
    "Or, and this is just another possibility, we could {c} instead.",
    "The good thing about trying to {a} is it's quicker, whereas if you {b} you keep a bit more control.",
    "The benefit of trying to {a} is you'd know where you stand, but to {b} would be less disruptive.",
    "To {a} would suit the mornings better, while to {b} might suit the weekends, so it depends.",
    "With the first one, to {a}, you get things moving, and with the second, to {b}, you get more time.",
]

OPTION_WHOLE = [
    "So the way it usually works, you can stay on the same dose, come down slowly, or in some cases stop with a lot of support.",
    "What are my options, realistically? Is it just tablets or is there something else?",
    "There's the ward, there's the crisis house, and there's home treatment, they're all quite different.",
    "Some people go for the depot because they don't have to remember, others prefer tablets because they feel more in control.",
    "We could wait, we don't have to decide anything today.",
    "I think it's between a phased return and staying off another month, isn't it.",
    "Could we compare the two tablets? Like what's the difference between them really.",
    "Options wise, there's the group, there's one-to-one, or there's the online thing.",
    "Either she moves back home for a bit, or we get more support into the flat.",
    "Do we appeal, or do we just reapply? I don't know which is less stressful.",
    "There's going cold turkey, which I wouldn't advise, there's tapering, and there's staying put.",
    "What's the alternative to the injection? Is there one?",
    "I wondered about trying the lower dose, or maybe having a break from it over the summer.",
    "so we could go down to five or we could stay on ten for a bit longer and see",
    "the other option is just to wait and do nothing for a month",
    "is there anything else other than hospital like the crisis house or whatever",
    "Okay so if we list everything, that's reducing, switching, stopping, or no change.",
    "Would it be better for him to come to every meeting, or just some of them?",
    "We've got a couple of routes here and I'd like to go through each.",
    "I could stay at Mum's, or I could go back to mine with people popping in.",
    "I think there's also the option of doing nothing for now, which is a real option.",
    "Could we try the reduction, and if it doesn't go well, go back up?",
    "Compared with the clozapine, the aripiprazole is less likely to make you put weight on, but might not work as well.",
    "It's either a section or a voluntary admission, or we manage at home with daily visits.",
    "Right, so I've written three options on the board, let's think about each of them.",
]

PREF_FRAMES = [
    "What would you like to happen with {thing}?",
    "How do you feel about {thing}, like what's important to you?",
    "What are you hoping for with {thing}?",
    "Is there anything that worries you about {thing}?",
    "What matters most to you when it comes to {thing}?",
    "I'd really like to hear what you want, not what we want. What do you think about {thing}?",
    "If it was completely up to you, what would you do about {thing}?",
    "{person}, what's your view on {thing}? What would you want for him?",
    "Before we go any further, what's your own wish about {thing}?",
    "Where do you stand on {thing}? There's no right answer.",
    "What would a good outcome look like for you with {thing}?",
    "What's your biggest worry about {thing}?",
    "Can I ask what you'd prefer with {thing}? Your view counts most here.",
    "How would you like us to handle {thing}?",
    "Do you have a preference about {thing}?",
    "What do you value most, thinking about {thing}?",
    "What would make {thing} feel okay for you?",
    "Is there something you'd want us to know about how you feel about {thing}?",
    "{person}, I'd like to hear from you as well, what are you hoping for with {thing}?",
    "What's your gut feeling about {thing}? What do you want to do?",
    "We've heard a lot from us, I'm wondering what you'd choose about {thing}.",
    "When you think about {thing}, what feels right for you?",
    "What would you want to be different about {thing}?",
    "Is there anything you'd definitely not want with {thing}?",
    "Can I check in with you, what are your own thoughts and wishes about {thing}?",
    "What would you like us to keep in mind about {thing}?",
    "How do you want to go forward with {thing}?",
    "Tell me what's important to you with {thing}, and we'll go from there.",
    "Sorry, I'm conscious we haven't asked you, what would you like with {thing}?",
    "If you could wave a magic wand, what would {thing} look like?",
    "What are your hopes, and what are your fears, about {thing}?",
    "What would help you feel more in control of {thing}?",
    "I'm curious what you'd want, given everything, about {thing}?",
    "{person}, what are you worried about, with {thing}?",
    "Which bits of {thing} matter to you and which bits don't?",
    "How would you feel about trying to {a}?",
    "What do you make of the idea to {a}, honestly?",
    "Is trying to {a} something you'd want?",
    "What would be your worry if we were to {a}?",
    "What's your hope for the next few months with {thing}?",
    "What's on your mind about {thing}, what concerns you?",
    "Is there anything you'd like to say about {thing} before we make any decisions?",
    "Are there things about {thing} you feel strongly about?",
    "If you were in charge of {thing}, what would you change?",
    "What would it mean to you to {a}?",
    "{person}, what do you reckon you'd want to happen with {thing}?",
]

PREF_WHOLE = [
    "What do you want? Not your mum, not us, you.",
    "How are you feeling about all of this, in terms of what you'd want to happen next?",
    "What would you like from this meeting today?",
    "Is there anything you're hoping we'll sort out today?",
    "What are you most worried about at the moment?",
    "Mum, what would you like to see happen?",
    "What would a good week look like for you?",
    "Is there anything you'd want to say to the team about how you'd like things to go?",
    "What's important to you in all this?",
    "Before we decide anything, can I hear what you'd want?",
    "Do you have any thoughts on what you'd like to do?",
    "What kind of support would you actually want from us?",
    "I'm wondering what you'd prefer, honestly, there's no wrong answer.",
    "Dad, I know you've got strong feelings, what are your hopes for her?",
    "what would you like to happen",
    "what are you hoping for really",
    "is there anything that you're worried about with it",
    "so what do you want to do",
    "How would you like us to be involved, if at all?",
    "Who would you like at these meetings going forward?",
    "What would feel like progress to you?",
    "If we met again in a month, what would you want to be different?",
    "What would you want the plan to say, in your own words?",
    "Have you got a sense of what you'd want, or is it too early?",
    "What's your preference on who we call if things get bad?",
    "How would you want us to respond if you start getting unwell again?",
    "Jamie, you've been quiet, what would you like for your brother?",
    "What scares you most about it?",
    "What would make it easier for you to say no to us if you wanted to?",
    "How much do you want to be involved in the decisions about your medication?",
]

OPTION_PREF_FRAMES = [
    "We could {a} or {b}, what would you prefer?",
    "There's a couple of ways to go, {a} or {b}, which feels more right to you?",
    "So either {a} or {b}, or we wait. What matters most to you in choosing?",
    "What would you want, to {a} or to {b}?",
    "I can see arguments for both, to {a} or to {b}, but what do you think you'd like?",
    "If you had to choose between trying to {a} and trying to {b}, which would you go for?",
    "Some people {a}, some {b}, what sounds more like you?",
    "Would you rather {a}, or {b}? Or neither?",
    "We don't have to decide today, but I'd like to know how you feel about whether to {a} or to {b}.",
    "{person}, what would you prefer for her, to {a} or to {b}?",
    "There's to {a}, there's to {b}, there's waiting. What are you leaning towards?",
    "how would you feel if we were to {a} or would you rather {b}",
]

PERSUASION_OPTION_FRAMES = [
    "I know you could {b}, but really the only sensible option is to {push}.",
    "Yes there's the option to {b}, but I'd be very worried, you need to {push}.",
    "We could {b}, but {cons}, so really you've got to {push}.",
    "There are other options, sure, like to {b}, but honestly none of them are as safe, so you {push}.",
    "I know some people {b}, but that's not for you, you need to {push}.",
    "People talk about trying to {b} instead, but in your case that's just not realistic, you have to {push}.",
    "It's either {push} or {threat}, those are the two options.",
    "Forget trying to {b}, it's not happening, you need to {push}.",
]

# Peer self-disclosure is built from openers, experiences and closers, all hand-written.
DISCLOSURE_OPENERS = [
    "",
    "",
    "",
    "For what it's worth, ",
    "I can only speak for myself, but ",
    "I've been there, ",
    "This is a bit personal, but ",
    "Speaking as someone who's been through it, ",
    "Can I share something? ",
    "I'll be honest with you, ",
    "I remember, ",
    "Just from my own experience, ",
    "It's funny, listening to you, ",
    "I don't often say this in meetings, but ",
    "Yeah, ",
    "Not to make it about me, but ",
    "When you said that, it took me back, because ",
    "I know exactly that feeling, ",
]

DISCLOSURE_EXPERIENCES = [
    "I was on olanzapine for about three years and I put on nearly four stone",
    "I was sectioned twice in my twenties",
    "I didn't sleep properly for months when I was at my worst",
    "I heard voices for a long time, and I still do sometimes",
    "when I came off my meds the first time I did it too fast and it went really badly",
    "I spent six weeks on a ward in 2015 and I hated every minute of it",
    "I used to self-harm, for years, and nobody knew",
    "I lost my job when I first got ill and I thought that was it for me",
    "I was convinced my neighbours were watching me, I'd tape up the windows",
    "I've had the depot myself, I know how much that needle hurts",
    "my first psychosis was at nineteen, in my first year at uni",
    "I tried to take my own life when I was twenty-three",
    "I've been in the crisis house myself, a couple of times actually",
    "when I was unwell I couldn't face my family at all, I just shut them out",
    "I had the police turn up at my door when I was in crisis, it was terrifying",
    "I was on clozapine, the bloods every week drove me mad",
    "I used cannabis to cope for a long time, and it made the paranoia so much worse",
    "I went through the PIP assessment while I was really unwell and it broke me a bit",
    "I was in a supported flat for two years after hospital",
    "I've been diagnosed with bipolar since I was twenty-five",
    "I came off lithium with my psychiatrist's help, really slowly, over about a year",
    "I had years where I barely left my bedroom",
    "I was terrified of the group at first, I sat by the door the whole first session",
    "my own recovery took a long time and it wasn't a straight line",
    "I still have bad weeks now, where I can't get out of bed",
    "I've been where you are, feeling like everyone's talking about you and not to you",
    "the first time I went into hospital I thought I'd never come out",
    "when I was drinking heavily I'd tell everyone I was fine",
    "I had a crisis plan that nobody ever read, so I know how that feels",
    "I had a mental health act assessment in my mum's kitchen, so I know how frightening that is",
    "I struggled with the weight gain and the tiredness on the tablets too",
    "I've had to go back to work after a breakdown, and the first week was awful",
    "I went through a phase of stopping and starting my medication without telling anyone",
    "I did CBT for my anxiety and honestly at first I thought it was rubbish",
    "I used to hear a voice that told me I was worthless, every single day",
    "I remember sitting in meetings like this one and feeling like I wasn't allowed to speak",
    "I got really unwell after my son was born, I had postnatal psychosis",
    "I had panic attacks so bad I thought I was dying",
    "I was homeless for a while when I was poorly, sofa surfing mostly",
    "I had to defer my degree when I was ill, I went back two years later",
    "I've been on and off antidepressants for about ten years",
    "I was on the hearing voices group myself for a couple of years",
    "I stopped eating properly when I was depressed, I lost loads of weight",
    "I used to ring the crisis line most nights, and some nights it was the only thing that helped",
    "I had my medication changed four times before we found one that suited me",
    "I spent a long time ashamed of my diagnosis",
    "when I was on the ward I refused the tablets for weeks",
    "I've had the thoughts you're describing, about not wanting to be here",
    "I lost friends when I got ill, and that was almost worse than the illness",
    "I've been through the appeals process for benefits twice",
]

DISCLOSURE_CLOSERS = [
    "",
    "",
    ". ",
    ", and it did get easier.",
    ", so you're not on your own with that.",
    ", and I'm in a really different place now.",
    ", so I really do get it.",
    ". I'm not saying it'll be the same for you, but it can change.",
    ", and I came through it.",
    ", so when you say that, I recognise it.",
    ". It's not a failing, it's just part of it for a lot of us.",
    ". I'm telling you that because it doesn't have to be forever.",
    ", and what helped me was having someone who'd been there.",
    ", so there's no judgement here, honestly.",
    ". I'm still learning, to be fair, but it's a lot better.",
    ", and I know how lonely that is.",
]

DISCLOSURE_WHOLE = [
    "When I was really poorly I thought nobody would ever understand, and then I met people who had been through it, and that changed things for me.",
    "I've had three admissions, and the last one was eight years ago now. So it does change.",
    "I know the tablets make you feel flat, they did that to me as well, I felt like a zombie for a year.",
    "The voices I hear now are much quieter than they used to be, and I've learned to live alongside them.",
    "I was the one in the chair a few years ago, with everyone talking about me, so I get how you're feeling.",
    "My recovery started when someone asked me what I wanted, rather than telling me. That's why I do this job.",
    "I self-harmed for about six years and I've been free of it for four now. It's not a straight line, but it happens.",
    "Honestly, I was so frightened of the ward, and when I got there it wasn't what I'd imagined, though it wasn't easy either.",
    "i was on the same tablets and i put loads of weight on so i know it's not nothing",
    "i've been sectioned myself so i know how scary that word is",
    "when i was in crisis i couldn't even make a cup of tea so please don't be hard on yourself",
    "I still take medication, I probably always will, and I've made my peace with that.",
    "I didn't trust services at all after what happened to me in hospital, so I understand why you don't either.",
    "I lost a whole year to depression, so I know what it means when you say the days just blur.",
    "As someone with lived experience of psychosis, I can tell you the fear does lessen.",
    "I went through a time when I believed the TV was sending me messages, and it was so real.",
    "I'm a peer worker because I've used these services myself, for quite a long time.",
    "I've had that exact argument with my own mum about my medication, more than once.",
    "I came off the depot five years ago, with a lot of planning, and it went okay for me, but I had a lot of support.",
    "The hardest bit for me was going back to work after being in hospital, I was so worried what people would think.",
    "I remember the first time I told someone about the voices, my hands were shaking.",
    "I had to give up driving when I was unwell, and getting that back was a big part of my recovery.",
    "I've had my own experience of crisis teams, some good and some not so good.",
    "Me and my brother both have bipolar, and mine was diagnosed first, at twenty.",
    "Years ago I was in that supported housing on Elm Road, actually, so I know what it's like there.",
    "I was on benefits for a long time when I was unwell, and I know how humiliating those assessments can feel.",
    "When my depression was at its worst I stopped answering the door. I get it, I really do.",
    "I've been through that groggy feeling from the sleeping tablets too, I used to sleep till noon.",
    "The first time I tried the group I left after ten minutes. Second time I stayed, and I'm glad I did.",
    "I was told I'd never work again, and I've been in this job six years.",
    "I was on antidepressants for years after my divorce, so I know a bit about how that feels.",
    "I had postnatal depression myself after you were born, love, so I do understand more than you think.",
    "I've had my own breakdown, years back, before I was a nurse, and I came through it.",
    "As your dad, I'll be honest, I've struggled with my own nerves for most of my life, and I'm still here.",
    "I had a spell in hospital myself in my thirties, and I've never told you that.",
    "Me too, mate, I was on the ward at your age, and now I've got my own place.",
    "I've been where you are, honestly, I sat in these meetings and hated them, and it got better for me.",
    "I had panic attacks for years myself, so I know that feeling of not being able to breathe.",
    "I'm in recovery myself, I've been through the crisis team twice, so you're not the only one.",
    "Can I say, as someone else who uses the service, the depot was awful at first for me too, and then it settled.",
    "I've had depression on and off since I was a teenager, so when you say that, I get it.",
    "I went through something really similar myself, the voices, the not sleeping, all of it, and I'm okay now.",
]

# ---- Near misses: look like a tag but are not --------------------------------------------

NOT_PERSUASION_FRAMES = [  # open offers, neutral information, balanced talk, own wishes
    "If you wanted to {a}, that's something we could do, but there's no pressure at all.",
    "It's completely your decision, we'll support you whatever you choose.",
    "I'm not going to tell you what to do, it's your life.",
    "Just so you know, {fact}",
    "For information, {fact_lower}",
    "{fact}",
    "{fact} Have a think and let us know.",
    "I could send you some information about {thing}, if that'd be useful, no obligation.",
    "We can look at {thing} whenever you're ready, there's no hurry.",
    "There's no rush on {thing}, honestly, take your time.",
    "If it helps, I can come with you, but only if you want me to.",
    "I'd be happy to talk about {thing} next time if you'd like, or not, it's up to you.",
    "I'm not here to push you into anything.",
    "Whatever you decide about {thing}, we'll be here.",
    "You know yourself best, and I trust that.",
    "The team's view is just one view, yours matters just as much.",
    "I've got some leaflets about {thing} if you want to take one, no pressure.",
    "You really don't have to decide anything about {thing} today.",
    "You need to know that {thing} is your choice, nobody else's.",
    "You have to do what feels right for you with {thing}.",
    "I'd lean towards trying to {a}, but it's your call and I'll back you either way.",
    "One thing you might want to know is that {fact_lower}",
]

NOT_OPTION_FRAMES = [  # single suggestion, single instruction, decisions already made
    "{single}",
    "{done}",
    "Maybe you could {a}, just as a thought.",
    "Have you thought about trying to {a}?",
    "Just make sure you {a} before the next meeting, if you can.",
    "I think it'd be worth trying to {a}, see if it makes a difference.",
    "So as we agreed last time, you're going to {a}.",
    "Right, so that's settled then, you'll {a} and we'll review in six weeks.",
    "Since we decided you'd {a}, how's it been going?",
    "It was agreed at the last meeting that you'd {a}, and you've done really well with it.",
    "What I'd suggest is you {a}, and we see where we are.",
    "One idea, and it's just an idea, is to {a}.",
    "We made the decision to {a} in the summer, so that's all in place.",
    "Can you {a} this week and let me know how it goes?",
    "Shall we try to {a}?",
    "Why don't you {a}?",
    "Would it help to {a}?",
    "How about you {a} for now?",
    "Let's {a} then, as we said.",
    "How did it go when you tried to {a}?",
    "The plan from last time was to {a}, and that's still the plan.",
]

NOT_PREF_FRAMES = [  # own preferences, factual and symptom questions, checking understanding
    "{own_wish}",
    "{symptom_q}",
    "Does that make sense?",
    "Can I just check I've understood, you're saying {thing} is the main thing at the moment?",
    "So what I'm hearing is that {thing} has been really hard, is that right?",
    "Just so I've got it right, you've been on this since January?",
    "Personally, I'd prefer to {a}, if I'm honest.",
    "What I want is to {a}, that's where I am.",
    "Is that clear, what I've just said about {thing}?",
    "Sorry, can you say that again? I didn't quite catch it.",
    "Have I got that right, that {thing} started after Christmas?",
    "How long has {thing} been a problem?",
    "When did things with {thing} start getting harder?",
    "Did you get the letter about {thing}?",
    "Who's the best person to speak to about {thing}?",
    "I'd really rather we {a}, that's my feeling as his dad.",
    "Did you understand what the doctor said about {thing}?",
    "What time's the appointment about {thing}?",
    "Is anyone else involved with {thing} at the moment?",
    "Did you say you wanted to {a}, is that what you said?",
    "You told me you'd prefer to {a}, didn't you?",
    "How did it feel when you tried to {a} before?",
    "Who suggested you {a}?",
]

NOT_DISCLOSURE_FRAMES = [  # someone else's experience, professional experience, current symptoms
    "My brother went through something similar, and he {other_exp}.",
    "A friend of mine {other_exp}, and she's doing well now.",
    "In my experience as a nurse, a lot of people {prof_exp}.",
    "I've worked on the wards for twenty years and I've seen people {prof_exp}.",
    "Professionally, I've seen lots of people {prof_exp}.",
    "One of the people I work with {other_exp}, so it does happen.",
    "His dad {other_exp}, years ago now.",
    "Other people in the group have {other_exp_pp}.",
    "My daughter {other_exp}, and watching that was hard.",
    "In my clinical experience, people often {prof_exp}.",
    "Most of the people I see {prof_exp}.",
    "From what I've seen in practice, people {prof_exp}.",
    "{symptom_answer}",
    "{symptom_answer}",
    "{symptom_answer}",
]

OTHER_EXPERIENCES = [
    "was on olanzapine for years",
    "was sectioned when he was twenty",
    "heard voices for a long time",
    "came off her tablets too quickly",
    "spent a few weeks in the crisis house",
    "went back to work part time after a breakdown",
    "used to self-harm when she was at school",
    "had a really rough time with the depot",
    "was in supported housing for a couple of years",
    "lost his job when he got ill",
    "had postnatal depression after her second",
    "did CBT and found it really helped",
    "went through the PIP appeal",
]
OTHER_EXPERIENCES_PP = [
    "been on olanzapine for years",
    "been sectioned",
    "heard voices for a long time",
    "come off their tablets too quickly",
    "stayed in the crisis house",
    "gone back to work part time",
    "had a rough time with the depot",
    "been through the PIP appeal",
]
PROFESSIONAL_EXPERIENCES = [
    "find the first few weeks on a new tablet the hardest",
    "do better with a slow taper",
    "feel anxious before a first group session",
    "feel worse before they feel better",
    "find the depot easier than remembering tablets",
    "struggle with sleep after discharge",
    "feel the crisis house is less frightening than the ward",
    "find going back to work gives them a bit of structure",
    "worry about weight gain on antipsychotics",
    "find the first admission the most frightening",
]
SYMPTOM_ANSWERS = [
    "I've not slept properly all week, the voices keep me up.",
    "It's been bad, I've been staying in my room mostly.",
    "The voices are louder at night, that's when it's worst.",
    "I feel really flat, like nothing matters, most days.",
    "I'm eating a bit more but I'm still not hungry really.",
    "I've been getting panic attacks on the bus again.",
    "I keep thinking people are following me when I go out.",
    "I haven't hurt myself this week, no.",
    "My head's all over the place at the moment, I can't concentrate on anything.",
    "I've been sleeping about four hours, maybe five.",
    "The shaking's a bit better since they lowered it.",
    "I'm tired all the time on these tablets.",
    "Honestly I'm feeling a bit better this week, the mornings are easier.",
    "I've had a few bad days, but mostly okay.",
    "I keep hearing my name when there's nobody there.",
    "I've been drinking more than I should, to get to sleep.",
    "I don't really want to go out, I just feel safer indoors.",
    "i've been alright i suppose just tired",
    "the voices have been quieter since tuesday",
    "not great to be honest I've not been out since the weekend",
]

NEUTRAL_WHOLE = [
    "Shall we make a start? Thanks everyone for coming.",
    "Can everyone hear okay at the back?",
    "Let's just go round and say who we are.",
    "I'm Sam, I'm one of the nurses in the team.",
    "Thanks for having us in your home again.",
    "Would anyone like a cup of tea before we start?",
    "We've got about an hour today.",
    "I'll just write a few notes, if that's alright, and you can see them at the end.",
    "That sounds really hard, I'm sorry you've had such a rough week.",
    "It's good to see you looking a bit brighter.",
    "I think that's a really important point you've made.",
    "I'm just going to reflect with my colleague for a moment, you're welcome to listen.",
    "What I noticed when you were talking was how much you care about your brother.",
    "Thank you for saying that, I know it wasn't easy.",
    "Let's take a short break and come back in five minutes.",
    "I'll send the notes round to everyone by Friday.",
    "Next meeting is the same time in two weeks, does that still work?",
    "Sorry I'm late, the traffic on the ring road was awful.",
    "It sounds like there's a lot going on for the whole family right now.",
    "I was struck by how hard everyone's been working to keep things together.",
    "Can I just say, I really appreciate you being so open.",
    "The dog's fine, he just wants attention.",
    "Yeah, yeah, I know what you mean.",
    "Mm, okay.",
    "Right, I see.",
    "That's interesting, go on.",
    "I don't know, to be honest.",
    "We'll pick that up next time.",
    "Has everyone had a chance to say something?",
    "I think we should finish there for today.",
    "He's been doing the garden a lot, which is nice to see.",
    "She's been helping me with the shopping on Saturdays.",
    "The bus was late again, so I walked.",
    "My mum's coming over on Sunday.",
    "I've been watching a lot of football, it takes my mind off things.",
    "We went to the seaside at the weekend, it was freezing.",
    "Can I open a window? It's really warm in here.",
    "I'm going to hand over to Dr Ahmed for a minute.",
    "Thanks, Priya, that's really helpful.",
    "It's been a busy week at home.",
    "I'm listening, take your time.",
    "There's no right or wrong in these meetings, we just talk.",
    "What happened after that?",
    "How did that feel, when he said that?",
    "And then what did you do?",
    "That was a lot to deal with.",
    "I hadn't thought about it like that.",
    "So there's a lot of love in this room, I can feel that.",
    "Let me just find the letter, hang on.",
    "I've brought the notes from last time if anyone wants to see them.",
    "erm yeah so that's where we are really",
    "okay thank you that's helpful",
    "sorry go on I interrupted you",
    "right shall we start then",
    "yeah no that's fair",
    "I think the kids have been picking up on it too.",
    "He's always been a sensitive lad.",
    "We used to go fishing together when he was little.",
    "The cat had kittens last week, so it's been chaos.",
    "I can see you're upset, it's okay.",
    "Let's pause, that felt important.",
    "I'm wondering what others in the room make of what was just said.",
    "I noticed you went quiet when we talked about your dad.",
    "I'll make sure the GP gets a copy.",
    "The meeting room downstairs is booked next time.",
    "I've been thinking about what you said last time a lot.",
    "He's started cooking again, which is a good sign.",
    "Is it alright if I call you Jo?",
    "That's a good question, I'll find out and come back to you.",
    "I think we're all a bit tired today.",
    "Would anyone like a glass of water?",
    "How was your weekend?",
    "What did you get up to at half term?",
    "How's the new puppy getting on?",
    "Does anyone mind if I take my coat off?",
    "Shall I put the kettle on?",
    "Do you want me to close the door?",
    "Is it alright if we sit here?",
]

# Hand-written sentences that sit on the persuasion boundary but are not persuasion: information
# about risks given plainly, and balanced views that hand the choice back.
NOT_PERSUASION_WHOLE = [
    "Some people do get a bit of a rebound if they stop quickly, so if you did decide to come off, we'd go slowly together.",
    "The consultant's view is that staying on it is safest, but she'd like to hear yours before anything's decided.",
    "The research on coming off is mixed, honestly, some people do well and some don't.",
    "I'd be lying if I said there was no risk, but there's risk either way, and it's your call.",
    "My worry is the sleep, but that's my worry, not yours, and you might see it differently.",
    "The law only comes into it if someone's at serious risk, and nobody's saying that today.",
    "I want to come off it, I've thought about it a lot and I'm ready.",
    "I'd like to go back to work in the new year, that's my plan.",
    "I think I'd like to stay at home, I feel better with my own things around me.",
    "If it were me I'd probably want more time, but I'm not you.",
    "The Mental Health Act sets out your rights on the ward, I can give you the leaflet.",
    "We'll go at your pace with this.",
    "You don't have to decide anything today.",
    "Nobody's going to make you do anything you don't want to here.",
    "It's okay to change your mind later, nothing's set in stone.",
    "i want to stop the tablets that's what i want",
    "it's up to you honestly whatever you decide",
    "there's no pressure we can talk about it again next time",
    "The depot would mean fewer things to remember, though I know needles aren't for everyone.",
    "Your mum's worried, and that's understandable, but it's still your decision to make.",
    "Whatever you choose, you've got all of us behind you.",
    "You've got our support either way, honestly.",
    "Whichever way you go, we'll help you make it work.",
    "Whatever happens with it, you won't be on your own.",
    "If you decide against it, that's okay, we'll still be here.",
    "We'll back you, whatever you decide to do.",
]

NOT_OPTION_WHOLE = [
    "We decided that last time, so that's done.",
    "Try the new dose for a fortnight.",
    "Ring the surgery tomorrow for the repeat.",
    "Take it with food, it's easier on your stomach.",
    "The plan's the same as before, nothing's changed.",
    "We went with the crisis house in the end, and it worked out okay.",
    "She started the new tablets on Monday.",
    "It's booked for the twelfth, so that's happening.",
    "Just keep doing what you're doing, it seems to be working.",
    "Write down any side effects you notice.",
    "so we agreed on the lower dose last week didn't we",
    "just try and get to bed a bit earlier",
    "Maybe get some fresh air in the mornings.",
    "I'd suggest a walk every day, even just round the block.",
    "We'll stick with what we agreed.",
]

NOT_PREF_WHOLE = [
    "How many hours did you work last week?",
    "Are you still on the fifteen milligrams?",
    "Did you manage to get to the shops?",
    "What did the GP say?",
    "Does that all make sense so far?",
    "Can I check you're okay with me taking notes?",
    "Is that right, what I've written here?",
    "So it was the Tuesday you went to A and E?",
    "Have you eaten today?",
    "Are the voices there right now, while we're talking?",
    "How's your mood been out of ten?",
    "Was it better or worse than last week?",
    "I'd prefer the morning appointments, if that's alright.",
    "I really want to get my own place.",
    "What I'd like is for everyone to stop worrying about me.",
    "I'd rather not talk about that today.",
    "I just want to get back to normal.",
    "I don't want the injection, I never have.",
    "are you still taking it at night",
    "did you get any sleep",
    "i'd rather stay at mine",
    "So you're saying the mornings are the hardest, have I got that right?",
    "Just to be clear, the appointment's on Thursday?",
    "Did you follow what I said about the bloods?",
    "How old were you when you first saw the team?",
]

NOT_DISCLOSURE_WHOLE = [
    "I've seen a lot of people come through this service and get their lives back.",
    "My cousin has schizophrenia, and he's doing brilliantly now.",
    "Lots of families I've worked with say the first meeting is the hardest.",
    "In my training we learned that sleep is often the first thing to go.",
    "Her mum was in hospital a lot when she was growing up.",
    "I've been a social worker for twelve years and I still find these conversations hard.",
    "People in the voices group say it helps to hear others' stories.",
    "A lot of our service users say the same thing about the depot.",
    "My husband's had depression for years, so I'm used to it, I suppose.",
    "My son was sectioned last year and it was the worst week of my life.",
    "I'm feeling a lot more paranoid this week.",
    "I've been cutting again, a bit, on my arms.",
    "I keep waking up at three and can't get back to sleep.",
    "I'm hearing them now actually, they're saying I shouldn't be here.",
    "I feel okay today, better than Monday.",
    "My mood's been low since my nan died.",
    "we see it a lot people stopping suddenly and then struggling",
    "my brother was on the same thing and he hated it",
    "in my experience as a doctor the first few weeks are the worst",
    "It's my job to make sure everyone's voice is heard here.",
    "I've worked with lots of young people in your position.",
    "Research with people who've been in hospital shows most would choose the crisis house.",
    "I've been stressed with work myself this week, to be fair, but that's by the by.",
    "I've had a cold all week, sorry if I'm a bit croaky.",
    "I've been really tired lately, the new baby's not sleeping.",
]

DISCLOSURE_PREF_FRAMES = [
    "{disclosure}. What would feel right for you?",
    "{disclosure}. So I'm curious, what are you hoping for?",
    "{disclosure}. What worries you most about it?",
]
DISCLOSURE_OPTION_FRAMES = [
    "{disclosure}. There's the group, there's one-to-one, or there's just waiting till you're ready.",
]

# --------------------------------------------------------------------------------------------
# Spoken style, applied to every category with the same probabilities.
# --------------------------------------------------------------------------------------------

HEDGES = [
    "I mean, ",
    "So, ",
    "Um, ",
    "Erm, ",
    "Well, ",
    "Yeah, so ",
    "Okay, ",
    "Right, ",
    "I suppose ",
    "You know, ",
    "And, er, ",
    "I was just going to say, ",
    "Can I just say, ",
    "Sorry, ",
    "Yeah. ",
    "Mm. ",
    "So, um, ",
    "I guess ",
    "Just coming back to what you said, ",
    "Okay, erm, ",
    "Yeah, I think ",
    "No, ",
    "Uh, ",
    "Sort of, ",
]
TAILS = [
    ", yeah?",
    ", you know?",
    ", I think.",
    ", if that makes sense.",
    ", or whatever.",
    ", so.",
    "... yeah.",
    ", I don't know.",
    ", really.",
]
FILLERS = ["like", "sort of", "you know", "erm", "um", "kind of", "I mean", "basically"]


def speak(text: str, rng: random.Random) -> str:
    """Render a written sentence the way people say it in a meeting, or the way ASR writes it."""
    if rng.random() < 0.22:
        text = rng.choice(HEDGES) + (
            text[0].lower() + text[1:] if not text.startswith("I ") and not text.startswith("I'") else text
        )
    words = text.split(" ")
    if rng.random() < 0.15 and len(words) > 3:
        k = rng.choice([1, 1, 2])
        stem = " ".join(words[:k]).rstrip(",.?")
        text = (
            f"{stem}- {text}"
            if rng.random() < 0.6
            else f"{stem}, {stem.lower() if not stem.startswith('I') else stem}, " + " ".join(words[k:])
        )
    words = text.split(" ")
    if rng.random() < 0.2 and len(words) > 5:
        i = rng.randrange(2, len(words) - 1)
        words.insert(i, rng.choice(FILLERS) + ("," if rng.random() < 0.5 else ""))
        text = " ".join(words)
    if rng.random() < 0.1 and text.endswith("."):
        text = text[:-1] + rng.choice(TAILS)
    if rng.random() < 0.25:
        text = asr_style(text, rng)
    return re.sub(r"\s+", " ", text).strip()


def asr_style(text: str, rng: random.Random) -> str:
    """Lowercase, no punctuation except apostrophes, like a raw speech-recognition transcript."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    if rng.random() < 0.2:
        text = text.replace("'", "")
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


def fill(frame: str, topic: dict[str, list[str]], rng: random.Random) -> str:
    opts = rng.sample(topic["options"], 3)
    fact = rng.choice(topic["facts"])
    values = {
        "a": opts[0],
        "b": opts[1],
        "c": opts[2],
        "push": rng.choice(topic["push"]),
        "cons": rng.choice(topic["cons"]),
        "auth": rng.choice(topic["auth"]),
        "threat": rng.choice(topic["threat"]),
        "thing": rng.choice(topic["thing"]),
        "person": rng.choice(PEOPLE),
        "fact": fact,
        "fact_lower": fact[0].lower() + fact[1:],
        "single": rng.choice(topic["single"]),
        "done": rng.choice(topic["done"]),
        "own_wish": rng.choice(topic["own_wish"]),
        "symptom_q": rng.choice(topic["symptom_q"]),
        "other_exp": rng.choice(OTHER_EXPERIENCES),
        "other_exp_pp": rng.choice(OTHER_EXPERIENCES_PP),
        "prof_exp": rng.choice(PROFESSIONAL_EXPERIENCES),
        "symptom_answer": rng.choice(SYMPTOM_ANSWERS),
    }
    text = frame.format(**values)
    text = text[0].upper() + text[1:]
    return text


def disclosure(rng: random.Random) -> str:
    opener = rng.choice(DISCLOSURE_OPENERS)
    exp = rng.choice(DISCLOSURE_EXPERIENCES)
    closer = rng.choice(DISCLOSURE_CLOSERS)
    text = opener + exp
    text = text[0].upper() + text[1:]
    return (text + closer).strip() if closer.strip() else text + "."


ROLE_WEIGHTS: dict[str, dict[str, float]] = {
    # Who says what in a network meeting; every role appears in several categories so that
    # the role alone never decides a tag.
    "persuasion": {"clinician": 0.55, "network": 0.35, "other": 0.05, "peer": 0.05},
    "persuasion_option": {"clinician": 0.6, "network": 0.35, "other": 0.05},
    "option": {"clinician": 0.45, "peer": 0.15, "network": 0.15, "service_user": 0.2, "other": 0.05},
    "option_pref": {"clinician": 0.6, "peer": 0.2, "network": 0.2},
    "pref": {"clinician": 0.5, "peer": 0.25, "network": 0.2, "other": 0.05},
    "disclosure": {"peer": 0.55, "network": 0.2, "service_user": 0.17, "clinician": 0.08},
    "not_persuasion": {"clinician": 0.5, "peer": 0.2, "network": 0.2, "service_user": 0.1},
    "not_option": {"clinician": 0.55, "peer": 0.2, "network": 0.2, "other": 0.05},
    "not_pref": {"clinician": 0.5, "peer": 0.2, "network": 0.2, "service_user": 0.1},
    "not_pref_own": {"service_user": 0.75, "network": 0.25},
    "not_disclosure": {"clinician": 0.45, "network": 0.3, "peer": 0.25},
    "not_disclosure_symptom": {"service_user": 1.0},
    "neutral": {"clinician": 0.3, "network": 0.25, "peer": 0.2, "service_user": 0.2, "other": 0.05},
}


def role_for(labels: set[str], category: str, rng: random.Random) -> str:
    weights = ROLE_WEIGHTS.get(category) or ROLE_WEIGHTS["disclosure" if D in labels else "option"]
    return rng.choices(list(weights), list(weights.values()))[0]


def build(rng: random.Random) -> list[dict]:
    rows: list[dict] = []

    def add(key: str, category: str, labels: set[str], text: str, role: str | None = None) -> None:
        rows.append(
            {
                "frame": key,
                "category": category,
                "labels": labels,
                "text": text,
                "speaker_role": role or role_for(labels, category, rng),
            }
        )

    topics = list(TOPICS.values())

    def from_frames(prefix: str, frames: list[str], labels: set[str], category: str, per_frame: int) -> None:
        for i, frame in enumerate(frames):
            for _ in range(per_frame):
                add(f"{prefix}{i}", category, labels, fill(frame, rng.choice(topics), rng))

    def from_whole(prefix: str, texts: list[str], labels: set[str], category: str, copies: int = 1) -> None:
        for i, text in enumerate(texts):
            for _ in range(copies):
                add(f"{prefix}{i}", category, labels, text)

    from_frames("pf", PERSUASION_FRAMES, {P}, "persuasion", 6)
    from_whole("pw", PERSUASION_WHOLE, {P}, "persuasion", 2)
    from_frames("of", OPTION_FRAMES, {O}, "option", 7)
    from_whole("ow", OPTION_WHOLE, {O}, "option", 2)
    from_frames("ef", PREF_FRAMES, {E}, "pref", 7)
    from_whole("ew", PREF_WHOLE, {E}, "pref", 2)
    from_frames("opf", OPTION_PREF_FRAMES, {O, E}, "option_pref", 8)
    from_frames("pof", PERSUASION_OPTION_FRAMES, {P, O}, "persuasion_option", 8)
    for i in range(330):
        # Key disclosures by experience so the same experience never spans two splits.
        exp_i = rng.randrange(len(DISCLOSURE_EXPERIENCES))
        opener, closer = rng.choice(DISCLOSURE_OPENERS), rng.choice(DISCLOSURE_CLOSERS)
        text = opener + DISCLOSURE_EXPERIENCES[exp_i]
        text = text[0].upper() + text[1:]
        text = (text + closer).strip() if closer.strip() else text + "."
        add(f"dx{exp_i}", "disclosure", {D}, text)
    from_whole("dw", DISCLOSURE_WHOLE, {D}, "disclosure", 3)
    for i, frame in enumerate(DISCLOSURE_PREF_FRAMES):
        for _ in range(10):
            add(f"dpf{i}", "disclosure_pref", {D, E}, frame.format(disclosure=disclosure(rng).rstrip(".")))
    for i, frame in enumerate(DISCLOSURE_OPTION_FRAMES):
        for _ in range(16):
            add(f"dof{i}", "disclosure_option", {D, O}, frame.format(disclosure=disclosure(rng).rstrip(".")))

    # Near misses.
    from_frames("npf", NOT_PERSUASION_FRAMES, set(), "not_persuasion", 8)
    from_whole("npw", NOT_PERSUASION_WHOLE, set(), "not_persuasion", 2)
    from_frames("nof", NOT_OPTION_FRAMES, set(), "not_option", 8)
    from_whole("now", NOT_OPTION_WHOLE, set(), "not_option", 2)
    for i, frame in enumerate(NOT_PREF_FRAMES):
        category = (
            "not_pref_own"
            if frame in ("{own_wish}",) or frame.startswith(("Personally", "What I want", "I'd really rather"))
            else "not_pref"
        )
        for _ in range(9):
            add(f"nef{i}", category, set(), fill(frame, rng.choice(topics), rng))
    from_whole("new", NOT_PREF_WHOLE, set(), "not_pref", 2)
    for i, frame in enumerate(NOT_DISCLOSURE_FRAMES):
        category = "not_disclosure_symptom" if frame == "{symptom_answer}" else "not_disclosure"
        for _ in range(9):
            add(f"ndf{i}", category, set(), fill(frame, rng.choice(topics), rng))
    from_whole("ndw", NOT_DISCLOSURE_WHOLE, set(), "not_disclosure", 2)
    from_whole("nw", NEUTRAL_WHOLE, set(), "neutral", 3)
    return rows


def assign_split(frame_key: str) -> str:
    """Frames (not single utterances) are split 70/15/15 by a stable hash of their key."""
    bucket = int(hashlib.sha256(frame_key.encode()).hexdigest(), 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def main() -> None:
    rng = random.Random(SEED)
    raw = build(rng)
    held_out = {normalise_text(ex.text) for ex in load_codebook_examples()}
    seen: set[str] = set()
    records = []
    for row in raw:
        text = speak(row["text"], rng)
        key = normalise_text(text)
        if key in seen or key in held_out or len(key) < 2:
            continue
        seen.add(key)
        records.append((row, text))
    rng.shuffle(records)
    with OUT.open("w", encoding="utf-8") as out:
        for n, (row, text) in enumerate(records, start=1):
            record = {
                "id": f"seed-{n:05d}",
                "text": text,
                "speaker_role": row["speaker_role"],
                "split": assign_split(row["frame"]),
                "category": row["category"],
                "frame": row["frame"],
            }
            record.update({tag: int(tag in row["labels"]) for tag in TAGS})
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} utterances to {OUT}")


if __name__ == "__main__":
    main()
