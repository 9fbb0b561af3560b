"""Write ``data/heldout/rules.jsonl``: the out-of-template set for recall by codebook rule.

A different generator from the training corpus's (data/seed/build_rules.py fills phrase tables;
this file lists whole utterances, each with the turn before it, written one by one for the rule
it illustrates, without looking at those tables). Every row names its rule — the rule names match
docs/codebook.md's "code yes" and "code no" lists, with the codebook's borderline cases (a choice
that is not one, pleading, the law used to close the question) as their own rules — and is
labelled for all four tags by the codebook; a tag the utterance leaves open is not judged.
``peer_self_disclosure`` positives are said by peer workers. A third of the rows are written the
way an automatic transcript comes out (lower case, no punctuation), by the rendering below.

Rows equal (after normalisation) to, or near copies (word-set overlap >= 0.8) of, a training
corpus utterance are dropped and counted. Used only to report figures, never to choose.
Deterministic: ``python data/heldout/build_rules_eval.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED_DIR = HERE.parent / "seed"
OUT = HERE / "rules.jsonl"
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
P, O, E, D = TAGS
OTHER, SAME, NONE = False, True, None

# rule -> tags carried, tags left unjudged, rows of (role, previous turn, same speaker?, utterance)
ROWS: dict[str, tuple[set[str], set[str], list[tuple[str, str | None, bool | None, str]]]] = {
    "persuasion+legal_leverage": (
        {P},
        set(),
        [
            (
                "clinician",
                "I'm not going in, I'm fine at home.",
                OTHER,
                "If that's your answer then I'll be ringing the AMHP this afternoon, and an assessment isn't what any of us want.",
            ),
            (
                "clinician",
                "What if I just don't take it?",
                OTHER,
                "Then the CTO kicks in and you get recalled, so really the sensible thing is to keep having it.",
            ),
            (
                "other",
                "I don't see why I should go to the groups.",
                OTHER,
                "It's a condition of your licence, so you're going, it's that simple.",
            ),
            (
                "clinician",
                "Can't I have a bit longer to think?",
                OTHER,
                "We're past that point, we have the powers to treat you, so please just sign the consent.",
            ),
            (
                "clinician",
                None,
                NONE,
                "You're on a section two, so the clozapine starts tomorrow whether you like it or not.",
            ),
            (
                "network",
                "I'm not seeing the doctor.",
                OTHER,
                "They'll just section you again if you carry on like this, so you might as well see him.",
            ),
        ],
    ),
    "persuasion+false_choice": (
        {P, O},
        set(),
        [
            (
                "clinician",
                "So what are my options?",
                OTHER,
                "Well, you could refuse the admission, but honestly that's not a real option for you right now, so we'll get you a bed.",
            ),
            (
                "network",
                "I might just move out.",
                OTHER,
                "Move out or stay here and get better, and we both know which one isn't stupid.",
            ),
            (
                "clinician",
                None,
                NONE,
                "There's the lithium or there's nothing, and nothing isn't on the table, so lithium it is.",
            ),
            (
                "clinician",
                "Could I try without?",
                OTHER,
                "You're free to try without it, of course, but I wouldn't let any patient of mine do something so reckless, so no.",
            ),
            (
                "network",
                "I want to think about the college thing.",
                OTHER,
                "You can think about it all you want but you're going, it's either that or sitting in your room forever.",
            ),
        ],
    ),
    "persuasion+appeal_experience": (
        {P},
        set(),
        [
            (
                "clinician",
                "I've read it can cause weight gain.",
                OTHER,
                "I've prescribed this drug for two decades, I know far more about it than any website, so you'll take it.",
            ),
            (
                "network",
                "I'll be fine on my own.",
                OTHER,
                "I brought you up, I know when you're not fine, and you're coming to stay with us.",
            ),
            (
                "clinician",
                "I don't think I'm ill.",
                OTHER,
                "I've assessed thousands of people and you are unwell, so we're starting treatment today.",
            ),
            (
                "other",
                "The housing officer said I could choose.",
                OTHER,
                "I've run this hostel for fifteen years, and people like you do best in the supported place, so that's where you're going.",
            ),
            (
                "clinician",
                None,
                NONE,
                "Take it from someone who's worked in psychiatry since before you were born, you need the depot.",
            ),
        ],
    ),
    "persuasion+consequences_push": (
        {P},
        set(),
        [
            (
                "clinician",
                "I want to come off it.",
                OTHER,
                "Come off it and you'll relapse by the spring and lose your job, so I really wouldn't, you should stay on it.",
            ),
            (
                "network",
                "I'm not going back to that course.",
                OTHER,
                "Drop out now and you'll never get another place anywhere, so you need to go back on Monday.",
            ),
            (
                "clinician",
                None,
                NONE,
                "Every time you've stopped it you've ended up on the ward, that's why you've got to keep going with it.",
            ),
            (
                "network",
                "I'll stop the pills after Christmas.",
                OTHER,
                "Do that and the kids won't be allowed to see you, so don't you dare.",
            ),
            (
                "clinician",
                "I'm not sure about the injection.",
                OTHER,
                "Without it you'll be back in crisis within weeks, so we're going ahead today.",
            ),
        ],
    ),
    "persuasion+repeat_after_resistance": (
        {P},
        set(),
        [
            (
                "clinician",
                "I said no. I'm not taking it.",
                OTHER,
                "And I'm telling you again, it's the right medicine for you and you need to take it.",
            ),
            (
                "network",
                "I don't want to go to the day centre, Mum.",
                OTHER,
                "I'll keep saying it until you listen, you're going to the day centre.",
            ),
            (
                "clinician",
                "I really don't want the ward.",
                OTHER,
                "I've heard you, and my advice hasn't changed one bit, you should come in tonight.",
            ),
            (
                "network",
                "Stop going on about it.",
                OTHER,
                "I'm not stopping, for the third time, you need to ring the crisis team.",
            ),
            (
                "clinician",
                "No, I'd rather not.",
                OTHER,
                "Once more then, the dose stays where it is, we're not reducing.",
            ),
        ],
    ),
    "persuasion+pleading": (
        {P},
        set(),
        [
            (
                "network",
                "I'm not going.",
                OTHER,
                "Please, darling, I'm on my knees here, just go with them, I can't lose you.",
            ),
            ("network", None, NONE, "I'm begging you, take the tablets, for your sister's sake if nothing else."),
            (
                "network",
                "Leave me alone.",
                OTHER,
                "Please son, please, just this once do what the doctor says, I can't sleep for worrying.",
            ),
            (
                "network",
                "I'll be alright.",
                OTHER,
                "Please let them take you in tonight, I couldn't bear another morning like the last one.",
            ),
            ("network", "i dont want it", OTHER, "please just have the injection please for me"),
        ],
    ),
    "persuasion+brush_aside": (
        {P},
        set(),
        [
            (
                "clinician",
                "But it makes me feel like a zombie.",
                OTHER,
                "Everybody says that at first, it's not a reason to stop, you're staying on it.",
            ),
            (
                "network",
                "The forum says it's dangerous.",
                OTHER,
                "Those forums are full of rubbish, forget them, you're having the jab.",
            ),
            (
                "clinician",
                "I think they're poisoning me.",
                OTHER,
                "That's the psychosis, not a real worry, so you're taking the medication.",
            ),
            (
                "clinician",
                "My friend came off it fine.",
                OTHER,
                "Your friend isn't you and isn't my concern, we're carrying on as planned.",
            ),
            (
                "network",
                "I don't like it there.",
                OTHER,
                "Whether you like it isn't the point, you're going to the unit.",
            ),
        ],
    ),
    "persuasion+insist": (
        {P},
        set(),
        [
            ("clinician", None, NONE, "You must have the blood test before we go any further, I won't budge on that."),
            ("network", "Do I have to?", OTHER, "Yes, you have to, and there's no more to say about it."),
            ("clinician", "Can we leave the dose?", OTHER, "No, the dose goes up today, that's non-negotiable."),
            (
                "peer",
                "I'm thinking of skipping the appointment.",
                OTHER,
                "You're not skipping it, you're going, end of story.",
            ),
            ("clinician", None, NONE, "You'll be taking these twice a day from now on, and that's final."),
        ],
    ),
    "persuasion+conditional_threat": (
        {P},
        set(),
        [
            (
                "network",
                "I'm not going to the appointment.",
                OTHER,
                "Then don't bother coming home tonight, I mean that.",
            ),
            ("network", None, NONE, "If you stop the medication again, you're not living under my roof."),
            (
                "clinician",
                "I'll do what I want.",
                OTHER,
                "If you carry on missing the clinic, we'll close your case and that's the end of the support.",
            ),
            (
                "network",
                "I'm going to the party.",
                OTHER,
                "You go to that party instead of the appointment and I'm taking your phone off you.",
            ),
            ("network", "i dont want to", OTHER, "if you dont take it im telling your dad and he wont be happy"),
        ],
    ),
    "persuasion-neutral_information": (
        set(),
        set(),
        [
            (
                "clinician",
                "What does the injection involve?",
                OTHER,
                "It goes into the arm or the buttock, and the nurse usually does it at the clinic every four weeks.",
            ),
            (
                "clinician",
                "Are there side effects?",
                OTHER,
                "Some people put on weight with it, and we'd keep an eye on your bloods if you chose it.",
            ),
            ("peer", None, NONE, "The crisis house takes self-referrals, and most people stay about a week."),
            (
                "clinician",
                "What happens if I stop?",
                OTHER,
                "Stopping suddenly can make sleep worse for a while, which is why any change is usually done slowly.",
            ),
            (
                "other",
                "Where's the new flat?",
                OTHER,
                "It's on the ground floor, near the bus station, and there's a support worker on site in the day.",
            ),
        ],
    ),
    "persuasion-open_offer": (
        set(),
        {O},
        [
            (
                "clinician",
                "I don't want to talk about the tablets today.",
                OTHER,
                "That's absolutely fine, we can come back to them whenever you're ready, or not at all.",
            ),
            (
                "peer",
                "I'm not going to the group.",
                OTHER,
                "Fair enough, it's your choice, the door's always open if you change your mind.",
            ),
            (
                "clinician",
                None,
                NONE,
                "If you ever fancy looking at the dose together, just say, and if not, that's okay too.",
            ),
            (
                "network",
                "I'll think about it.",
                OTHER,
                "Take all the time you need, love, we'll back whatever you decide.",
            ),
            ("clinician", "Not the ward.", OTHER, "Okay, the ward's off the table then, that's your decision."),
        ],
    ),
    "persuasion-opinion_handed_back": (
        set(),
        {O},
        [
            (
                "clinician",
                "What would you do?",
                OTHER,
                "Honestly I'd probably give it another month, but you know your own body, it's your decision.",
            ),
            (
                "peer",
                "Should I go back to work?",
                OTHER,
                "For me, work helped, but you're the one who knows if it's the right time.",
            ),
            (
                "network",
                "What do you think, Dad?",
                OTHER,
                "I'd like you to stay with us a bit longer, but I'll go along with whatever you choose.",
            ),
            (
                "clinician",
                None,
                NONE,
                "My gut says the lower dose might suit you, but I'm happy either way, it's really up to you.",
            ),
        ],
    ),
    "persuasion-law_described": (
        set(),
        set(),
        [
            (
                "clinician",
                "Can they keep me here?",
                OTHER,
                "You're here informally, which means you can leave, and I'd just ask you to tell us first.",
            ),
            (
                "other",
                "What's a tribunal?",
                OTHER,
                "It's an independent panel that looks at whether the section should continue, and you can have a solicitor for free.",
            ),
            (
                "clinician",
                None,
                NONE,
                "Under section 132 we have to explain your rights, so here's the leaflet, and you can ask me anything about it.",
            ),
            (
                "clinician",
                "Do I get a say?",
                OTHER,
                "You do, you can ask for an advocate and for a second opinion doctor to review the treatment.",
            ),
        ],
    ),
    "persuasion-own_wish": (
        set(),
        set(),
        [
            (
                "service_user",
                "How are you feeling about the medication?",
                OTHER,
                "I want to try coming off it, slowly, that's what I've decided.",
            ),
            ("service_user", None, NONE, "I'm going back to my own flat next week, I'm ready."),
            (
                "network",
                "What would you like to happen?",
                OTHER,
                "I'd like to be able to visit more often, that's all I want.",
            ),
            ("service_user", "So what's next?", OTHER, "I don't want the injection, I'd rather stay on tablets."),
        ],
    ),
    "option_discussion+two_courses": (
        {O},
        set(),
        [
            (
                "clinician",
                "So what happens now?",
                OTHER,
                "We could have the home team visit daily, or you could come into the crisis house for a few nights.",
            ),
            (
                "peer",
                None,
                NONE,
                "Some people find it helps to go part-time at first, others go straight back full-time.",
            ),
            (
                "network",
                "What do we do about the flat?",
                OTHER,
                "Either she keeps the flat and we visit more, or she moves in with us for a bit.",
            ),
            ("service_user", "Any thoughts?", OTHER, "I could keep the same dose or try a smaller one for the summer."),
            ("clinician", "okay", OTHER, "so its either another talking therapy or we look at the medication again"),
        ],
    ),
    "option_discussion+waiting_counts": (
        {O},
        set(),
        [
            (
                "clinician",
                "Do I have to decide now?",
                OTHER,
                "No, and leaving everything as it is for a while is a perfectly good option too.",
            ),
            ("peer", None, NONE, "Not doing anything for now counts as a choice as well, you don't have to rush."),
            (
                "clinician",
                "I'm not sure.",
                OTHER,
                "We can hold off and review it in six weeks, or make a change now, both are fine.",
            ),
            (
                "network",
                "Should he start the job?",
                OTHER,
                "He could start now or give it till after the summer, there's no hurry.",
            ),
        ],
    ),
    "option_discussion+ask_options": (
        {O},
        set(),
        [
            ("service_user", None, NONE, "Is there anything other than the ward if it gets bad again?"),
            (
                "network",
                "We don't know where to go from here.",
                OTHER,
                "What are the choices for her, apart from more tablets?",
            ),
            ("clinician", "I'm stuck.", OTHER, "What other routes can we think of, besides the day hospital?"),
            ("service_user", "The tablets aren't working.", SAME, "what else could i try instead"),
        ],
    ),
    "option_discussion+compare": (
        {O},
        set(),
        [
            (
                "clinician",
                "Which is better?",
                OTHER,
                "The crisis house is calmer, whereas the ward has doctors on hand around the clock.",
            ),
            (
                "peer",
                None,
                NONE,
                "Tablets you can stop quickly if you hate them, the injection stays in your system longer.",
            ),
            (
                "network",
                "What about moving?",
                OTHER,
                "Living with us is cheaper, but the flat gives her more independence.",
            ),
            (
                "clinician",
                "Tell me more.",
                OTHER,
                "The group gives you other people to talk to, while one-to-one therapy goes deeper.",
            ),
        ],
    ),
    "option_discussion+alternative_proposal": (
        {O},
        set(),
        [
            (
                "network",
                "We were thinking he'd move back in.",
                SAME,
                "Or, instead of that, could someone from the team call round each morning?",
            ),
            ("service_user", "The plan is the ward.", OTHER, "What about the crisis house instead of the ward?"),
            (
                "clinician",
                "She won't go to the group.",
                OTHER,
                "Perhaps, rather than the group, she could see the peer worker one-to-one?",
            ),
            ("peer", "He hates the day centre.", OTHER, "How about the allotment project instead of the day centre?"),
        ],
    ),
    "option_discussion-single_suggestion": (
        set(),
        set(),
        [
            ("clinician", "I can't sleep.", OTHER, "Try cutting out coffee after lunch and see if that helps."),
            ("peer", None, NONE, "It might be worth writing things down before the next meeting."),
            ("network", "I'm bored all day.", OTHER, "You should give the library a go, it's quiet in there."),
            ("clinician", "What should I do?", OTHER, "Ring the duty line if it gets bad over the weekend."),
        ],
    ),
    "option_discussion-decision_made": (
        set(),
        set(),
        [
            ("clinician", None, NONE, "As we decided in June, you're staying on the same dose until the review."),
            ("network", "Where did we get to?", OTHER, "We sorted that last time, she's coming to us on Fridays."),
            (
                "clinician",
                "So what's happening?",
                OTHER,
                "Since you started the new tablets, how have your mornings been?",
            ),
            ("service_user", None, NONE, "I've already started the course, it began on Monday."),
        ],
    ),
    "option_discussion-one_option_detail": (
        set(),
        set(),
        [
            (
                "clinician",
                "What's the crisis house like?",
                OTHER,
                "It has six rooms and a kitchen you can use whenever you like.",
            ),
            ("other", None, NONE, "The allotment group meets on Wednesday mornings by the church."),
            ("clinician", "And the injection?", OTHER, "It's a small needle and it takes about a minute."),
            ("peer", "What's the group like?", OTHER, "There's about eight people and it's pretty relaxed."),
        ],
    ),
    "preference_elicitation+ask_want": (
        {E},
        set(),
        [
            (
                "clinician",
                "I don't know what to do.",
                OTHER,
                "Leaving aside what anyone else thinks, what would you want?",
            ),
            ("peer", None, NONE, "What would a good outcome look like for you from today?"),
            ("network", "They want me to go in.", OTHER, "Forget them for a second, what do you want to do?"),
            (
                "clinician",
                "The dose is high.",
                OTHER,
                "How would you like us to handle the medication over the next few months?",
            ),
            ("clinician", "okay", OTHER, "what would you want us to do next time things get bad"),
        ],
    ),
    "preference_elicitation+ask_values": (
        {E},
        set(),
        [
            ("clinician", None, NONE, "When you think about the next year, what's most important to you?"),
            (
                "peer",
                "I just want things to be normal.",
                OTHER,
                "What does normal mean for you, what would you want in it?",
            ),
            ("clinician", "I've been thinking about moving.", OTHER, "What matters to you most in a new place?"),
            ("clinician", "I'm not sure about the job.", OTHER, "What are you hoping the job will give you?"),
        ],
    ),
    "preference_elicitation+ask_worries": (
        {E},
        set(),
        [
            ("clinician", "I'm nervous about coming off.", OTHER, "What's the worry for you, if we did reduce it?"),
            ("peer", None, NONE, "Is there anything about going into the crisis house that scares you?"),
            ("network", "I don't want the injection.", OTHER, "What is it about the injection that bothers you, love?"),
            ("clinician", "It's a big step.", OTHER, "What concerns do you have about moving into the flat?"),
        ],
    ),
    "preference_elicitation+invite_network": (
        {E},
        set(),
        [
            ("clinician", "I'd like her home.", OTHER, "Thanks. Uncle Ray, what would you like to see happen for her?"),
            ("peer", None, NONE, "Sophie, you've been quiet, what are you hoping for from all this?"),
            ("clinician", "That's what I want.", OTHER, "And Grandad, what matters to you in how we go forward?"),
            (
                "clinician",
                "We're all worried.",
                OTHER,
                "Dean, what would you want for your brother if it were up to you?",
            ),
        ],
    ),
    "preference_elicitation+ask_which_option": (
        {E, O},
        set(),
        [
            ("clinician", "Either is fine by me.", OTHER, "Which do you lean towards, the tablets or the injection?"),
            ("network", None, NONE, "Would you rather come to us or have us come to you at weekends?"),
            ("peer", "There are two groups.", OTHER, "Do you fancy the morning group or the evening one more?"),
            ("clinician", "so its crisis house or home team", OTHER, "which one would you go for"),
        ],
    ),
    "preference_elicitation-symptom_question": (
        set(),
        set(),
        [
            ("clinician", None, NONE, "Are you still hearing the voices at night?"),
            ("clinician", "I've been low.", OTHER, "How's your appetite been this week?"),
            ("network", "She's been odd.", OTHER, "Has she been eating properly, do you think?"),
            ("clinician", "Things are up and down.", OTHER, "How many times have you woken in the night this week?"),
        ],
    ),
    "preference_elicitation-check_understanding": (
        set(),
        set(),
        [
            (
                "service_user",
                "I don't want to go in.",
                OTHER,
                "So you'd prefer to be treated at home, is that what you're saying?",
            ),
            ("clinician", None, NONE, "Have I explained that clearly enough?"),
            (
                "service_user",
                "Mornings are the worst.",
                OTHER,
                "Just so I've got it, it's the mornings that are hardest?",
            ),
            (
                "peer",
                "I want my own place.",
                OTHER,
                "Your own place, rather than with your mum, did I hear that right?",
            ),
        ],
    ),
    "preference_elicitation-own_preference": (
        set(),
        set(),
        [
            ("network", "What do you think?", OTHER, "Honestly I'd like him to stay with us until he's steadier."),
            ("service_user", None, NONE, "I'd rather do the group than one-to-one, if I'm honest."),
            ("network", "Any thoughts?", OTHER, "My wish is for her to get back to college."),
            ("service_user", "Tablets or injection?", OTHER, "Tablets, definitely, I hate needles."),
        ],
    ),
    "preference_elicitation-general_feeling": (
        set(),
        set(),
        [
            ("clinician", None, NONE, "Did you have a nice Christmas?"),
            ("peer", "Hiya.", OTHER, "How's the dog doing?"),
            ("network", "I'm knackered.", OTHER, "How was the drive over?"),
            ("clinician", "Morning.", OTHER, "How's the weather been your way?"),
        ],
    ),
    "peer_self_disclosure+own_treatment": (
        {D},
        set(),
        [
            (
                "peer",
                "I hate how the tablets make me feel.",
                OTHER,
                "I was on quetiapine for three years and I felt like I was wading through mud, so I really do get it.",
            ),
            (
                "peer",
                None,
                NONE,
                "When I had ECT I was terrified beforehand, and it turned out to be the thing that helped me.",
            ),
            (
                "peer",
                "I don't want the depot.",
                OTHER,
                "I had the depot myself for a while, and the first few weeks were the hardest.",
            ),
            ("peer", "the side effects are awful", OTHER, "yeah i had the shakes on mine for months it does settle"),
        ],
    ),
    "peer_self_disclosure+own_crisis": (
        {D},
        set(),
        [
            (
                "peer",
                "I'm scared of going in.",
                OTHER,
                "The first time I was admitted I screamed the place down, so whatever you're feeling is okay.",
            ),
            (
                "peer",
                None,
                NONE,
                "A few years back I tried to end my life, and sitting here now I'm glad I'm still around.",
            ),
            (
                "peer",
                "Nobody understands.",
                OTHER,
                "I've heard voices too, horrible ones, so you're not on your own with this.",
            ),
            (
                "peer",
                "i feel like im losing it",
                OTHER,
                "i lost it completely back in 2015 ended up in hospital and i came through it",
            ),
        ],
    ),
    "peer_self_disclosure+own_services": (
        {D},
        set(),
        [
            (
                "peer",
                "I don't know about the group.",
                OTHER,
                "I sat at the back of my first hearing voices group and didn't say a word, and that was fine.",
            ),
            (
                "peer",
                None,
                NONE,
                "When I was under the crisis team they came twice a day, and I found it odd at first but it helped.",
            ),
            (
                "peer",
                "Is the crisis house any good?",
                OTHER,
                "I stayed there myself twice, and it was the first place I felt listened to.",
            ),
            (
                "peer",
                "therapy scares me",
                OTHER,
                "i did twelve weeks of cbt myself and i nearly quit after two but im glad i stuck it out",
            ),
        ],
    ),
    "peer_self_disclosure+own_recovery": (
        {D},
        set(),
        [
            (
                "peer",
                "Will it ever get better?",
                OTHER,
                "I spent most of my thirties in and out of hospital, and now I haven't been in for six years.",
            ),
            (
                "peer",
                None,
                NONE,
                "My depression still comes back some winters, and these days I know the signs and act early.",
            ),
            (
                "peer",
                "I feel hopeless.",
                OTHER,
                "I felt exactly that hopeless once, and it shifted, slowly, but it did.",
            ),
            (
                "peer",
                "how did you get better",
                OTHER,
                "for me it was getting back into running after i got out that made the difference",
            ),
        ],
    ),
    "peer_self_disclosure-someone_else": (
        set(),
        set(),
        [
            ("network", None, NONE, "My sister was on lithium for years and it worked well for her."),
            (
                "peer",
                "Does the group help people?",
                OTHER,
                "One lad in our group went from not speaking to running the tea rota.",
            ),
            (
                "clinician",
                "Has anyone tried it?",
                OTHER,
                "A woman I worked with last year found the crisis house really calming.",
            ),
            ("network", "He's struggling.", OTHER, "His dad went through something very similar at his age."),
        ],
    ),
    "peer_self_disclosure-professional": (
        set(),
        set(),
        [
            (
                "clinician",
                None,
                NONE,
                "From what I've seen on the ward, most people feel better after the first fortnight.",
            ),
            (
                "clinician",
                "Is it normal to feel like this?",
                OTHER,
                "In twenty years of nursing I've seen that a lot, it usually passes.",
            ),
            (
                "other",
                "Do people stick with it?",
                OTHER,
                "As a support worker I've seen lots of people manage the course.",
            ),
            (
                "peer",
                "What do people usually do?",
                OTHER,
                "In my job, I see most people try the group before anything else.",
            ),
        ],
    ),
    "peer_self_disclosure-everyday_tiredness": (
        set(),
        set(),
        [
            ("peer", None, NONE, "Bear with me, I've been up since five with the baby."),
            ("clinician", "You look tired.", OTHER, "I am, I've had back-to-back meetings all day."),
            ("network", "How are you?", OTHER, "Stressed with work, to be honest, it's been a busy month."),
            ("peer", "How's things?", OTHER, "I've got a bit of a headache, nothing serious."),
        ],
    ),
}


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split())


def transcript_style(text: str) -> str:
    """How an automatic transcript writes it: lower case, no punctuation."""
    return norm(text)


def _training_texts() -> tuple[set[str], list[set[str]]]:
    texts: list[str] = []
    for path in sorted(SEED_DIR.glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return {norm(t) for t in texts}, [set(norm(t).split()) for t in texts]


def main() -> None:
    exact, word_sets = _training_texts()
    out, dropped, n = [], [], 0
    for rule, (tags, unjudged, rows) in ROWS.items():
        for role, prev, same, text in rows:
            n += 1
            words = set(norm(text).split())
            if norm(text) in exact or (
                len(words) >= 4 and any(len(words & k) >= 0.8 * len(words | k) for k in word_sets if k)
            ):
                dropped.append(text)
                continue
            if n % 3 == 0:
                text = transcript_style(text)
                prev = transcript_style(prev) if prev else prev
            row = {
                "id": f"rules-heldout-{len(out) + 1:04d}",
                "text": text,
                "speaker_role": role,
                "split": "test",
                **{t: int(t in tags) for t in TAGS if t not in unjudged},
                "rule": rule,
                "prev_text": prev,
                "prev_same": same,
            }
            out.append(row)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(len(out), "rows;", len(dropped), "dropped as (near) copies of training utterances:", dropped)


if __name__ == "__main__":
    main()
