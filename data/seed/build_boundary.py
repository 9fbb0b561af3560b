"""Write ``data/seed/boundary.jsonl``: utterances on both sides of each tag's boundary, by the
codebook's "code no when" rules (written for dialogic, not recorded).

dialogic-tagger-v2 still fired on realistic talk above issue #10's 2 % per tag: mostly
preference_elicitation on clinicians' ordinary questions, and peer_self_disclosure on service
users and relatives telling their own or someone else's history. This generator adds a third
set of hand-written parts (not the frames or phrase tables of build_corpus.py or
build_realistic.py), one block per "no" rule of docs/codebook.md:

- preference_elicitation no: questions about symptoms, sleep, medication effects and doses,
  history and facts, asked of service users and of relatives by name; general feeling questions
  with no decision in them; reflections and summaries phrased as questions ("so you're saying…?",
  "you'd rather stay at home, have I got that right?"); checks of understanding; agenda and
  logistics questions; prompts to say more;
- peer_self_disclosure no: service users' own history, admissions, diagnoses, current symptoms
  and medication experience told as a report; relatives' accounts of the person's history and
  of their own tiredness, worry and physical health; other people's and professional
  experience, including a peer worker's; peers' ordinary talk (information, questions,
  reflections, empathy, their day) with no experience of distress in it;
- persuasion no: risk information without steering, offers and recommendations that hand the
  choice back, rights described, firm practical instructions about appointments and forms,
  recaps of plans already agreed, encouragement (the last three grew after v3's first run, whose
  dev false fires were nearly all such turns; appended, so earlier rows keep their ids);
- option_discussion no: a treatment history that lists several medicines, a single suggestion,
  one option's details, a decision already made, "or" between things that are not courses of
  action ("worse in the mornings or at night?");
- fewer **contrastive positives** beside them, so that recall is kept where the line is thin:
  feeling and worry questions that *are* about a decision or care, wishes asked of relatives by
  name, peer workers' disclosures told to connect, balanced pros and cons (option_discussion,
  not persuasion) and insistence on a treatment (persuasion).

Rows carry no previous utterance (the v2 model does not read one). About half are rendered in
spoken form by build_realistic.py's `spoken` (lowercase, no punctuation, fillers, false starts,
simple ASR confusions; untagged rows may be cut into fragments). The split is by frame, 70/15/15
by a stable hash, like the other corpus files. Utterances equal (after normalisation) to a
held-out or codebook example, or to a row of utterances.jsonl or realistic.jsonl, are dropped.
Deterministic: ``python data/seed/build_boundary.py``.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_realistic import norm, spoken, stable_split, write_rows  # noqa: E402  (same folder, a script)

OUT = HERE / "boundary.jsonl"
SEED = 20261210
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
P, O, E, D = TAGS

# ------------------------------------------------------------------ shared slots ------------
PEOPLE = ["Jade", "Marcus", "Siobhan", "Kieran", "Priya", "Dean", "Holly", "Imran", "Bethany", "Lewis", "Megan", "Sol"]
RELATIVES = [
    "Mum",
    "Dad",
    "Nan",
    "Auntie Carol",
    "Grandad",
    "Uncle Pete",
    "Mrs Okafor",
    "Mr Hughes",
    "Lorraine",
    "Steve",
]
MEDICINES = [
    "olanzapine",
    "quetiapine",
    "risperidone",
    "aripiprazole",
    "sertraline",
    "fluoxetine",
    "venlafaxine",
    "lithium",
    "clozapine",
    "lamotrigine",
    "zopiclone",
    "depot",
    "paliperidone",
    "citalopram",
    "diazepam",
    "propranolol",
]
SYMPTOMS = [  # plural, for "how have {s} been"
    "the voices",
    "the nightmares",
    "the panic attacks",
    "the paranoid thoughts",
    "the shakes",
    "the headaches",
    "the intrusive thoughts",
    "the racing thoughts",
    "the urges to cut",
    "the flashbacks",
    "the night sweats",
    "the mood swings",
    "the dark thoughts",
    "the cravings",
]
SIDE_EFFECTS = [
    "a dry mouth",
    "any stiffness",
    "the drowsiness",
    "any dizziness",
    "blurred vision",
    "weight gain",
    "restless legs",
    "a tremor",
    "constipation",
    "any sexual side effects",
    "sweating at night",
    "feeling sick",
]
WHEN = [
    "since the dose went up",
    "this week",
    "since we last met",
    "over the weekend",
    "since you came home",
    "at night",
    "in the mornings",
    "since Christmas",
    "lately",
    "since you started back at college",
    "",
]
TOPICS = [
    "the medication",
    "the dose going down",
    "going into the crisis house",
    "coming off the clozapine",
    "the move to the supported flat",
    "starting the depot",
    "going back to work",
    "the tribunal",
    "the next admission if there is one",
    "the care plan",
    "seeing a psychologist",
    "the home visits",
    "leave from the ward",
    "changing to a different tablet",
    "the college course",
]

# ------------------------------------------------------- preference_elicitation: no -----------
SYMPTOM_Q = [
    "How have {s} been {w}?",
    "Are {s} any better {w}?",
    "What are {s} like at the moment?",
    "On a scale of nought to ten, how bad are {s} today?",
    "Do you notice {s} more in the mornings or at night?",
    "Have {s} changed at all {w}?",
    "When did {s} get worse?",
    "How often are you getting {s}?",
    "Is there anything that sets off {s}?",
    "What do you do when {s} come on?",
    "Are {s} there all day or do they come and go?",
    "Can you tell me a bit more about {s}?",
    "Did {s} settle after the last review?",
    "How long do {s} last when they come?",
]
SLEEP_Q = [
    "What time are you getting off to sleep?",
    "Are you waking up in the night?",
    "How many hours did you get last night?",
    "Is it getting to sleep or staying asleep that's hard?",
    "Are you napping much in the day?",
    "What time are you up in the mornings?",
    "Are you having the nightmares still?",
    "Do you feel rested when you wake up?",
    "Is the zopiclone helping you get off?",
    "Are you on your phone late at night?",
    "Has the sleep been better since you cut the coffee?",
    "How many nights this week did you sleep through?",
    "Are you going to bed at the same time each night?",
    "What's keeping you awake, is it thoughts or noise?",
]
MED_Q = [
    "Has the {m} made any difference to {s}?",
    "Are you getting {x} with the {m}?",
    "What dose of {m} are you on now?",
    "Do you take the {m} in the morning or at night?",
    "Have you missed any doses of {m} this week?",
    "How long have you been on the {m} now?",
    "Did you notice anything different when the {m} went up?",
    "Who prescribed the {m} originally?",
    "Are you still getting the {m} from the same chemist?",
    "When did you last have your bloods done for the {m}?",
    "Are you taking anything else alongside the {m}?",
    "Did the {m} come in the blister packs this time?",
    "Have you had {x} since starting the {m}?",
    "How soon after taking the {m} do you feel sleepy?",
    "Is the {m} still in tablets, or the liquid?",
]
HISTORY_Q = [
    "When did all of this start?",
    "Was that your first time in hospital?",
    "How long were you on the ward last time?",
    "How old were you when you first saw someone about it?",
    "Has anyone in the family had anything similar?",
    "Who was your care coordinator before Jenny?",
    "What happened the night the police came?",
    "Where were you living when you first got ill?",
    "How many admissions have there been altogether?",
    "When were you diagnosed?",
    "Were you working when it first happened?",
    "What was the first medication they put you on?",
    "Had you been using anything at the time?",
    "How did you end up at A and E that night?",
    "Who was with you when it happened?",
    "Were you under the early intervention team back then?",
]
RELATIVE_FACT_Q = [
    "{r}, when did you first notice things weren't right?",
    "{r}, how has he been sleeping at yours?",
    "{r}, did she take her tablets this morning?",
    "{r}, what was he like before all this started?",
    "{r}, how often is she going out at the moment?",
    "{r}, has he been eating with you in the evenings?",
    "{r}, was he drinking much over Christmas?",
    "{r}, how did the weekend go at home?",
    "{r}, what happened when the crisis team came round?",
    "{r}, did you manage to speak to the GP?",
    "{r}, is she still going to the gym?",
    "{r}, when was the last time he saw his friends?",
    "{r}, how long has she been staying in her room?",
    "{r}, did you get the letter about the review?",
]
GENERAL_FEELING_Q = [
    "How have you been in yourself?",
    "How are you today?",
    "How was the weekend?",
    "What was that like for you?",
    "How did that feel at the time?",
    "How are things at home?",
    "How did it go at the job centre?",
    "How's college going?",
    "How are you doing, really?",
    "How was the wedding?",
    "How did you get on at your sister's?",
    "How's your week been?",
    "How are you finding the new flat?",
    "How was it seeing your dad again?",
    "How are you feeling in yourself this morning?",
    "How did you feel when she said that?",
]
REFLECT_Q = [
    "So you're saying {x}?",
    "So {x}, is that right?",
    "{X}, have I got that right?",
    "Am I right in thinking {x}?",
    "So what you mean is {x}?",
    "So for you {x}, yeah?",
    "If I've heard you right, {x}?",
    "You're telling me {x}, is that it?",
    "Let me check I've followed, {x}?",
    "So {x}, did I get that?",
]
REFLECT_Q_X = [
    "the evenings are the worst",
    "you'd rather stay at home for now",
    "you want to come off it eventually",
    "the injection isn't for you",
    "you'd prefer your mum wasn't at the next one",
    "the tablets help but you hate the weight",
    "you felt pushed last time",
    "work is what keeps you steady",
    "the voices are quieter when you're busy",
    "you'd like to try the group again",
    "you didn't feel listened to on the ward",
    "you want more say in what happens",
    "it's the mornings that are hardest",
    "you're not against the idea, you just want time",
    "you and your dad see it differently",
    "you've been more on edge since the move",
    "you'd like Kieran to come next time",
    "you want to keep the job whatever happens",
]
SUMMARY_Q = [
    "Can I try and sum up where we've got to, and you tell me if I've missed anything?",
    "So to recap, the mornings are hard, the new flat is noisy, and college is going well, is that fair?",
    "Shall I read back what I've written so far?",
    "Before we finish, can I go over what everyone's said?",
    "Is that a fair summary of today?",
    "Did I miss anything out when I summed up?",
]
CHECK_Q = [
    "Is that clear enough?",
    "Have I explained that okay?",
    "Do you know what I mean?",
    "Did that come across alright?",
    "Any questions about what Dr Shah said?",
    "Is there anything in the letter you weren't sure about?",
    "Can you tell me in your own words what the plan is?",
    "Did you follow all that?",
    "Does everyone know what the tribunal is?",
    "Have you got any questions about the leaflet?",
    "Does that make sense to you, Dad?",
    "Am I making sense?",
]
LOGISTICS_Q = [
    "Has everyone got a copy of the care plan?",
    "Are we expecting your brother today?",
    "Can you hear me alright at the back?",
    "Did you find the building okay?",
    "How long have we got the room for?",
    "Is your phone number still the same?",
    "Which GP surgery are you with now?",
    "Do you still live on Park Road?",
    "Who's taking the notes today?",
    "Is it alright if I open the blind a bit?",
    "What time's your bus back?",
    "Did the taxi turn up on time?",
    "Has anyone seen my pen?",
    "Shall we do a quick round of names?",
    "Can we make the next one a bit earlier, for the school run?",
    "Did you get the text about the change of room?",
    "Is the interpreter joining us?",
    "Did the benefits letter come through?",
    "Can I just check your date of birth?",
    "Do you want a glass of water before we start?",
]
PROMPT_MORE = [
    "Can you say a bit more about that?",
    "What happened next?",
    "And then what?",
    "Go on, what happened after that?",
    "What did the doctor say?",
    "What was going through your head?",
    "What did your mum do?",
    "Where were you when that happened?",
    "Tell me about the first time.",
    "What was the hardest part of that?",
    "What do you remember about that day?",
    "Who else was there?",
]

INVITE_TO_SPEAK = [
    "{r}, would you like to add anything?",
    "Do you want to tell Dr Shah about the weekend?",
    "Would you like to start us off?",
    "Do you mind if I write that down?",
    "Would you mind if I asked about the voices?",
    "Is it okay if I ask a few questions about your sleep?",
    "{r}, is there anything you want to say before we move on?",
    "Do you want to say what happened on Sunday?",
]
EXPLANATION_Q = [
    "What do you think brought it on?",
    "Why do you think the voices got louder last week?",
    "What do you put the bad nights down to?",
    "Do you think the cannabis has anything to do with it?",
    "What did you make of what the consultant said?",
    "Where do you think the worry comes from?",
    "What was different about the good days?",
]
RISK_AND_FUNCTION_Q = [
    "Are you having any thoughts of harming yourself?",
    "Do you feel safe at home at the moment?",
    "Is anyone putting pressure on you for money?",
    "Are you managing the shopping on your own?",
    "Who does the cooking at yours?",
    "How are you getting on with money this month?",
    "Are you eating regular meals?",
    "Do you ever feel like your thoughts are being put into your head?",
    "Have you been able to get out for a walk?",
    "Are you seeing anyone apart from your mum?",
    "Have you had any contact with the police since we last met?",
    "Is the rent up to date?",
]

# ------------------------------------------------------- peer_self_disclosure: no -------------
SU_HISTORY_REPORT = [
    "The first time I went into hospital I was {age}.",
    "I've been in hospital {n} times now.",
    "I was diagnosed with {dx} when I was {age}.",
    "I've been on {m} since {since}.",
    "Last time I came off the {m} I {relapse}.",
    "I tried CBT before and it didn't do much for me.",
    "When I was unwell before I {behaviour}.",
    "I was on a section three the last time, for about four months.",
    "I first started hearing things after my dad died.",
    "I've had the eating problems since I was about {age}.",
    "I've been under the team since {since}.",
    "I was in the mother and baby unit after my daughter was born.",
    "They put me on {m} after the second admission.",
    "I spent most of last year in my room, I didn't go anywhere.",
    "I got sectioned from A and E the last time.",
    "I had a breakdown after I lost my job and I've not really been right since.",
    "When I was {age} I took too many tablets and ended up in hospital.",
    "I was self-harming all through sixth form.",
    "I did a year at uni and then I got ill and had to leave.",
    "The police picked me up on the bridge the last time.",
]
SU_CURRENT = [
    "I keep hearing my name being called when nobody's there.",
    "I've been getting maybe three hours a night.",
    "I feel like people are looking at me on the bus.",
    "I can't stop going over what happened.",
    "My head's been all over the place since Monday.",
    "I've not been out of the flat since the weekend.",
    "I'm just so tired all the time.",
    "I feel flat, like nothing matters.",
    "I had another panic attack in the supermarket.",
    "The thoughts are there as soon as I wake up.",
    "I've been eating once a day, if that.",
    "I've been hearing the man again, the one who shouts.",
    "I keep checking the locks, like ten times before bed.",
    "I'm on edge all the time, I jump at every noise.",
    "I've been crying a lot, I don't really know why.",
    "Some days I can't get out of bed at all.",
    "I think the neighbours are listening through the wall.",
    "My memory's shot, I keep losing things.",
]
SU_MED_EXPERIENCE = [
    "The {m} makes me {effect}.",
    "Since they upped the {m} I've been {state}.",
    "I've been skipping the {m} because {reason}.",
    "I'm alright on the {m}, it's just {complaint}.",
    "The {m} was the worst one, I was {state} the whole time.",
    "I take the {m} at night and it knocks me out.",
    "When I went on the {m} I {effect_past}.",
    "I've been on the {m} for a month and I can't tell any difference.",
]
SU_MED_SLOTS = {
    "effect": ["feel like a zombie", "so hungry all the time", "shake", "dizzy when I get up", "sleep till noon"],
    "state": ["really sluggish", "more restless", "a lot calmer", "really foggy", "putting weight on"],
    "reason": ["it makes me sick", "I forget", "I don't think I need it", "the chemist keeps running out"],
    "complaint": ["the weight", "the dry mouth", "how tired I get", "the bloods every month"],
    "effect_past": ["put on two stone", "stopped hearing the voices", "couldn't sit still", "slept for days"],
}
SU_HISTORY_SLOTS = {
    "age": ["sixteen", "nineteen", "twenty-two", "fourteen", "thirty", "twenty-five"],
    "n": ["three", "four", "five", "six", "two"],
    "dx": ["schizophrenia", "bipolar", "depression", "psychosis", "PTSD", "an eating disorder", "BPD"],
    "since": ["2019", "last year", "I was at school", "the summer", "before Covid"],
    "relapse": [
        "ended up back on the ward",
        "stopped sleeping",
        "got really paranoid",
        "was fine for a month then crashed",
    ],
    "behaviour": [
        "stopped eating",
        "didn't wash for weeks",
        "spent all my money",
        "thought the telly was talking to me",
        "walked miles at night",
    ],
}
RELATIVE_HISTORY = [
    "He was first admitted when he was {age}.",
    "She's been on the {m} about five years now.",
    "He's had three admissions, all of them under section.",
    "When she was little she was always a worrier.",
    "He went downhill after his mate died.",
    "She stopped the {m} in the summer and by September she was back in.",
    "He was doing an apprenticeship when it started.",
    "The first time, she thought we were poisoning her food.",
    "He's never really been the same since the last admission.",
    "She used to ring me ten times a day when she was poorly.",
    "He was in the Priory for a bit when he was a teenager.",
    "She got the diagnosis at nineteen and it floored us all.",
    "He was on the {m} before, and it made him sleep all day.",
    "Our Kieran's been in and out of services since he was fifteen.",
]
RELATIVE_OWN = [
    "I'm worn out, to be honest, I'm doing nights at the moment.",
    "I worry about her all the time.",
    "I've been off work with my back, so I've been around more.",
    "I had a fall last month, so I can't drive him anywhere.",
    "I just want my son back.",
    "I don't sleep well when he's out late.",
    "It's been a lot, with my mum being ill as well.",
    "I get so frustrated with the waiting lists.",
    "I'm not a young woman any more, I can't do the stairs every night.",
    "I lie awake wondering if he's taken them.",
    "I feel guilty, like I should have seen it coming.",
    "My blood pressure's been up with all the stress.",
]
OTHERS_AT_WORK = [
    "A lot of the people in my group say the first week is the worst.",
    "Someone I used to support found the hearing voices group really useful.",
    "I've sat with lots of people in A and E through this job.",
    "People I've worked with have said the depot takes a while to settle.",
    "I've known people come off the {m} slowly and be fine.",
    "Most people I meet in this role have had a rough time on the wards.",
    "A woman at the drop-in said the same about the {m}.",
    "Quite a few of the people I see say the mornings are the hardest.",
]
OTHERS_AT_HOME = [
    "My neighbour's lad was on the {m} and he did alright.",
    "A friend of mine went through the crisis house and said it was calm.",
    "My sister had postnatal depression after her second.",
    "One of the lads at the football went through the same thing.",
    "My auntie was in and out of hospital my whole childhood.",
    "My cousin hears voices too, he's learned to live with them.",
    "Our next door neighbour had a breakdown after her husband died.",
    "My best mate's mum was on lithium for years.",
]
PROFESSIONAL = [
    "In twenty years of nursing I've seen people recover from far worse.",
    "From a pharmacy point of view, the {m} is one of the gentler ones.",
    "As a psychiatrist I'd usually wait six weeks before judging it.",
    "I've run this group for a few years now and people do come out of their shells.",
    "In my training we learned that sleep is often the first thing to go.",
    "I've done a lot of these meetings and they always feel awkward at first.",
]
PEER_ORDINARY = [
    "The hearing voices group is on Tuesdays at the library, two till four.",
    "I'll text you the address after this.",
    "I went to the job centre with another lad last week, the staff were fine.",
    "That sounds exhausting.",
    "I can only imagine how that felt.",
    "You've clearly thought about this a lot.",
    "Sorry I'm late, the traffic on the ring road was awful.",
    "I had a lovely weekend, thanks, we went to the coast.",
    "The drop-in has free lunch on Fridays now.",
    "I'm here to support you, whatever happens today.",
    "Can I ask what the doctor actually said?",
    "It sounds like the ward was really hard for you.",
    "I've got the forms here if you want to go through them.",
    "You don't have to say anything if you don't want to.",
    "The recovery college has a new course starting in March.",
    "I'm sorry, I didn't catch that, could you say it again?",
    "We've got a peer group that meets in the café, it's pretty relaxed.",
    "I'm knackered, I was at my daughter's parents' evening last night.",
]
EMPATHY_NO_STORY = [
    "I know how you feel.",
    "I hear you.",
    "That must have been so frightening.",
    "I get why you'd be angry.",
    "It makes total sense you'd feel like that.",
    "That's really tough.",
    "Thank you for trusting us with that.",
    "You're not on your own with this.",
    "Lots of people feel like that.",
    "That took a lot of courage to say.",
]

# ------------------------------------------------------------- persuasion: no ---------------
RISK_INFO = [
    "Stopping the {m} suddenly can bring on withdrawal, which is why any change is usually gradual.",
    "The {m} can affect your blood sugar, so we'd check it every few months.",
    "Some people get a bit of nausea in the first fortnight on the {m}.",
    "With lithium the level has to be checked, because too much can be harmful.",
    "Drinking on the {m} can make you very drowsy.",
    "The risk of relapse is higher in the first year after stopping, that's what the research says.",
    "Clozapine needs regular blood tests because it can lower your white cells.",
    "The depot can cause a sore arm for a day or two.",
    "If the {m} comes down, some people notice their sleep changes for a while.",
    "The crisis house is voluntary, you can leave whenever you like.",
]
HANDS_BACK = [
    "I'd probably try the group myself, but it's completely up to you.",
    "My view is it's worth a go, but you know yourself best.",
    "I'd lean towards waiting, but it's your call, honestly.",
    "You don't need to decide today, have a think and let me know.",
    "There's no right answer here, it's what works for you.",
    "If you'd rather not, that's absolutely fine.",
    "We can go at whatever pace suits you.",
    "Whatever you decide, we'll support it.",
    "Take your time, there's no rush from our side.",
    "It's your body and your decision.",
    "I'd really encourage you to keep going to the group, but it's your choice.",
    "I do worry that stopping might make you unwell again, but I'll back whatever you decide.",
    "Personally I think the lower dose is worth a try, but you know your own mind.",
]
RIGHTS = [
    "You're allowed to bring someone with you to the tribunal.",
    "You can ask for a second opinion, that's your right.",
    "Anything you say here stays in the team unless there's a risk to someone.",
    "You can see what's written in your notes if you ask.",
    "You can appeal the section, and there's a solicitor who can help for free.",
    "You can withdraw from the study at any time.",
    "Carers can ask for their own assessment, it's separate from his.",
]
PRACTICAL = [
    "You'll need to bring some ID to the bank.",
    "You have to sign in at reception, it's the same for everyone.",
    "The form needs to be back by Friday.",
    "You'll need a fasting blood test, so nothing to eat after midnight.",
    "Ring the surgery at eight, that's when they release the appointments.",
    "Bring your tablets in the box next time so we can check them.",
    "Remember the clocks go back on Sunday, so the group's an hour earlier for you.",
    "Don't forget your bus pass.",
]
OWN_WISH_NETWORK = [
    "What I'd like is for all of us to be on the same page.",
    "I'd love him to come home for Christmas.",
    "I just want her to be happy, whatever that looks like.",
    "I'd rather we didn't rush anything.",
    "I'm hoping we can keep things calm this month.",
]

# ------------------------------------------------------- option_discussion: no --------------
MED_HISTORY_THEIRS = [
    "He's been on {m}, then {m2}, and now {m3}.",
    "She's tried {m} and {m2} already, neither agreed with her.",
    "They gave him {m} on the ward and {m2} when he came out.",
    "She takes the {m} in the morning and the {m2} at night.",
    "Over the years he's had {m}, {m2}, {m3}, you name it.",
    "According to the notes it was {m} first and then {m2}.",
]
MED_HISTORY_OWN = [
    "I was on {m} first, then they switched me to {m2}.",
    "They gave me {m} on the ward and {m2} when I came out.",
    "I take the {m} in the morning and the {m2} at night.",
    "I've had {m}, {m2}, {m3}, all of them.",
]
ONE_OPTION = [
    "The depot is every four weeks at the clinic.",
    "The crisis house has six beds and you get your own room.",
    "The supported flat comes with staff on site till ten.",
    "The group runs for twelve weeks.",
    "The psychology waiting list is about six months at the moment.",
    "The new tablet is once a day, with food.",
    "Home treatment would be two visits a day at first.",
    "Why not have a look at the college open day?",
    "Maybe jot down what you want to ask before next time.",
    "Shall we get the GP to check your bloods?",
    "Have a think about the volunteering thing.",
    "How about a walk in the mornings?",
]
DECIDED = [
    "So we agreed last time you'd stay on the same dose till March.",
    "The plan stays as it is, visits on Monday and Thursday.",
    "You've been at the new flat a month now, how is it?",
    "That's all arranged, the transport picks you up at nine.",
    "We sorted the tribunal date, it's the twelfth.",
    "Since you dropped to the lower dose, has anything changed?",
    "Right, so that's decided, the crisis house from Friday.",
    "You started the course in September, didn't you?",
]
OR_NOT_ACTION = [
    "Is it worse in the mornings or at night?",
    "Was that before or after Christmas?",
    "Is it one voice or more than one?",
    "Was it your mum or your dad who rang?",
    "Did that happen at home or at college?",
    "Is the pain on the left or the right?",
    "Was it the ten milligram or the twenty?",
    "Are you still at your flat or at your sister's?",
]

# ------------------------------------------------------- contrastive positives --------------
ELICIT_CARE = [
    "How do you feel about {t}?",
    "What worries you most about {t}?",
    "Is there anything about {t} that you're scared of?",
    "What would you want to happen with {t}?",
    "If it were up to you, what would you do about {t}?",
    "What's important to you when we think about {t}?",
    "What would make {t} feel okay for you?",
    "How would you feel if we went ahead with {t}?",
    "What are you hoping for from {t}?",
    "Where do you stand on {t}, honestly?",
]
ELICIT_RELATIVE = [
    "{r}, what are you hoping comes out of today?",
    "{r}, what would you like to see happen for him?",
    "{r}, what worries you most about her coming home?",
    "{r}, we've not heard from you, what matters most to you in all this?",
    "{r}, how would you feel about the crisis house?",
    "{r}, what would you want from the team?",
]
ELICIT_OWN_CARE = [
    "If you could change one thing about your care, what would it be?",
    "What would a good week look like for you?",
    "What do you want us to do differently next time you're unwell?",
    "What would help you feel safer on the ward?",
    "What kind of support would you actually want at home?",
    "What would make a place feel like home for you?",
    "Is there anything you want from this meeting?",
    "What would you like the plan to say?",
]
PEER_DISCLOSE = [
    "{open}I was on {m} for years and {close}.",
    "{open}I was sectioned myself when I was {age} and {close}.",
    "{open}I used to hear voices every day and {close}.",
    "{open}I spent months not leaving the house and {close}.",
    "{open}I've been on the ward myself, more than once, and {close}.",
    "{open}I came off my medication too fast once and crashed, so {close}.",
    "{open}I still have bad days with my own mental health, and {close}.",
    "{open}I had my first breakdown at uni and {close}.",
]
PEER_OPEN = ["", "", "Honestly, ", "For what it's worth, ", "Speaking for myself, ", "Can I say, ", "I'll be honest, "]
PEER_CLOSE = [
    "it did get easier",
    "I'm still here",
    "I know how scary it is",
    "you're not the only one",
    "I really do get it",
    "things changed for me slowly",
    "it doesn't have to be forever",
]
BALANCED = [
    "The {m} would help you sleep, but the weight can go up, whereas the {m2} is lighter on weight but less calming.",
    "The crisis house is quieter than the ward, but the ward has doctors there all night.",
    "Reducing now means we'd see how you do before the summer, waiting means less change while you start college.",
    "The depot means no daily tablets, the tablets mean you can adjust the dose more easily.",
    "Going part-time keeps your foot in the door, but taking a full break gives you more room to rest.",
    "Staying at your mum's means company, the flat means your own space, both have something going for them.",
]
INSIST = [
    "You need to take the {m} every day, there's no debate about that.",
    "I'm not having this conversation again, you're staying on the {m}.",
    "If you stop the {m} again, you'll be straight back on the ward, so you're not stopping.",
    "The team's decided, you're having the depot, end of.",
    "You've got to let the nurse in, we can't keep going round in circles.",
    "Forget what your mate said, you're keeping the {m} where it is.",
]


# Added after dialogic-tagger-v3's first run, whose dev persuasion false fires were nearly all
# firm practical instructions and recaps of plans already agreed ("you're going to…"). Appended
# after the blocks above so that the rows above keep their ids and text.
PRACTICAL_MORE = [
    "You'll need to ring the pharmacy on Monday to order the next lot.",
    "You have to be at the clinic by nine for the bloods.",
    "You need to bring your tablets with you to the review.",
    "Don't forget the appointment's moved to Thursday.",
    "You'll have to fill in the top half of the form yourself.",
    "You need to sign here and here.",
    "If you feel unsafe tonight, ring the crisis line, the number's on the card.",
    "You'll need your national insurance number for the claim.",
    "The nurse needs to see you before ten, because the clinic shuts at twelve.",
    "You have to book the bus the day before, they won't take same-day calls.",
    "Make sure you eat something before the injection, or you'll feel faint.",
    "You've got to show the letter at the front desk.",
    "You need to give the council a week's notice before you move.",
]
AGREED_RECAP = [
    "Like we said at the last meeting, you're doing three days at the centre from Monday.",
    "Just to remind everyone, we agreed the dose stays the same until the review.",
    "So from next week you're starting at the allotment, like you planned.",
    "You're going to your sister's on Friday, that's still the plan, isn't it?",
    "As we sorted out last time, Dad's picking you up after the group.",
    "So that's you on the new tablets from tomorrow, as you decided.",
    "The plan we made was that you'd ring us if the voices got worse, and you did, well done.",
    "We agreed you're going back to college in January.",
    "You're seeing the psychologist on the fourteenth, that's all booked now.",
    "So you're moving into the flat on the first, like we talked about.",
]
ENCOURAGE = [
    "You can do this.",
    "Keep going, you're doing brilliantly.",
    "You've come such a long way since the summer.",
    "I'm really proud of you for coming today.",
    "You got through last week, you can get through this one.",
    "Give yourself some credit, that was a big step.",
    "Be kind to yourself this week.",
    "It's okay to have a bad day.",
]
INSIST_MORE = [
    "You need to keep taking the {m}, I'm not going to pretend otherwise.",
    "You have to go back on the {m}, you saw what happened last time.",
    "There's no discussion, you're coming in tonight.",
    "You've got to stop the drinking, or you'll lose the flat, simple as that.",
    "{r} and I have talked, and you're staying with us till you're better, no arguments.",
    "The doctor knows best, so you'll take what she gives you.",
    "Listen to me, you must have the injection, it's not up for debate.",
    "If you won't take the {m}, we'll have to think about the section, so take it.",
]


def _fill(rng: random.Random, frame: str, slots: dict[str, list[str]]) -> str:
    values = {k: rng.choice(v) for k, v in slots.items() if "{" + k + "}" in frame}
    if "{m2}" in frame or "{m3}" in frame:
        values["m"], values["m2"], values["m3"] = rng.sample(MEDICINES, 3)
    if "{X}" in frame:
        x = rng.choice(REFLECT_Q_X)
        values["X"] = x[0].upper() + x[1:]
    return frame.format(**values)


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    slots = {
        "s": SYMPTOMS,
        "w": WHEN,
        "m": MEDICINES,
        "x": SIDE_EFFECTS,
        "r": RELATIVES,
        "t": TOPICS,
        "open": PEER_OPEN,
        "close": PEER_CLOSE,
        **SU_HISTORY_SLOTS,
        **SU_MED_SLOTS,
    }

    def block(prefix: str, category: str, labels: set[str], roles: list[str], frames: list[str], copies: int) -> None:
        """Each frame filled ``copies`` times; the frame is the unit of the split."""
        for i, frame in enumerate(frames):
            for _ in range(copies):
                local = dict(slots, x=REFLECT_Q_X if prefix == "reflect_q" else SIDE_EFFECTS)
                text = _fill(rng, frame, local).replace("  ", " ").strip()
                rows.append(
                    {
                        "text": text[0].upper() + text[1:],
                        "speaker_role": rng.choice(roles),
                        "labels": labels,
                        "category": category,
                        "frame": f"{prefix}:{i}",
                    }
                )

    none: set[str] = set()
    questioners = ["clinician", "clinician", "clinician", "peer", "other"]
    anyone = ["clinician", "peer", "network", "service_user", "other"]
    # preference_elicitation: no
    block("symptom_q", "symptom_question", none, questioners + ["network"], SYMPTOM_Q, 8)
    block("sleep_q", "sleep_question", none, questioners, SLEEP_Q, 4)
    block("med_q", "medication_question", none, questioners, MED_Q, 6)
    block("history_q", "history_question", none, questioners, HISTORY_Q, 4)
    block("relative_fact_q", "relative_fact_question", none, ["clinician", "clinician", "peer"], RELATIVE_FACT_Q, 4)
    block("feeling_q", "general_feeling_question", none, questioners + ["network"], GENERAL_FEELING_Q, 3)
    block("reflect_q", "reflection_question", none, ["clinician", "clinician", "peer"], REFLECT_Q, 10)
    block("summary_q", "summary_question", none, ["clinician", "peer"], SUMMARY_Q, 3)
    block("check_q", "check_understanding", none, ["clinician", "clinician", "peer", "other"], CHECK_Q, 3)
    block("logistics_q", "agenda_logistics_question", none, questioners + ["network"], LOGISTICS_Q, 2)
    block("prompt_more", "prompt_to_say_more", none, questioners, PROMPT_MORE, 3)
    block("invite_speak", "invitation_to_speak", none, ["clinician", "clinician", "peer"], INVITE_TO_SPEAK, 3)
    block("explain_q", "explanation_question", none, questioners + ["network"], EXPLANATION_Q, 3)
    block("risk_function_q", "risk_or_functioning_question", none, questioners, RISK_AND_FUNCTION_Q, 3)
    # peer_self_disclosure: no
    block("su_history", "service_user_history_report", none, ["service_user"], SU_HISTORY_REPORT, 7)
    block("su_current", "service_user_current_symptoms", none, ["service_user"], SU_CURRENT, 4)
    block("su_med", "service_user_medication_experience", none, ["service_user"], SU_MED_EXPERIENCE, 8)
    block("relative_history", "relative_recounts_history", none, ["network"], RELATIVE_HISTORY, 4)
    block("relative_own", "relative_own_strain", none, ["network"], RELATIVE_OWN, 3)
    block("others_work", "someone_elses_experience", none, ["peer", "peer", "clinician"], OTHERS_AT_WORK, 4)
    block("others_home", "someone_elses_experience", none, ["peer", "network", "service_user"], OTHERS_AT_HOME, 4)
    block("professional", "professional_experience", none, ["clinician", "other"], PROFESSIONAL, 3)
    block("peer_ordinary", "peer_ordinary_talk", none, ["peer"], PEER_ORDINARY, 3)
    block("empathy", "empathy_without_disclosure", none, ["peer", "peer", "clinician", "network"], EMPATHY_NO_STORY, 3)
    # persuasion: no
    block("risk_info", "risk_information", none, ["clinician", "clinician", "other"], RISK_INFO, 4)
    block("hands_back", "recommendation_handed_back", none, ["clinician", "peer", "network"], HANDS_BACK, 3)
    block("rights", "rights_described", none, ["clinician", "other", "peer"], RIGHTS, 3)
    block("practical", "practical_instruction", none, ["clinician", "other", "network"], PRACTICAL, 3)
    block("own_wish_net", "relative_own_wish", none, ["network"], OWN_WISH_NETWORK, 3)
    # option_discussion: no
    block("med_history_theirs", "medication_history_list", none, ["network", "clinician"], MED_HISTORY_THEIRS, 5)
    block("med_history_own", "medication_history_list", none, ["service_user"], MED_HISTORY_OWN, 5)
    block("one_option", "single_option_or_suggestion", none, ["clinician", "peer", "network"], ONE_OPTION, 3)
    block("decided", "decision_already_made", none, ["clinician", "network"], DECIDED, 3)
    block("or_not_action", "or_without_courses_of_action", none, questioners, OR_NOT_ACTION, 3)
    # contrastive positives
    block("elicit_care", "elicits_about_care", {E}, ["clinician", "clinician", "peer", "network"], ELICIT_CARE, 10)
    block("elicit_relative", "elicits_relative_wishes", {E}, ["clinician", "peer"], ELICIT_RELATIVE, 4)
    block("elicit_own_care", "elicits_own_care", {E}, ["clinician", "peer"], ELICIT_OWN_CARE, 3)
    block("peer_disclose", "peer_disclosure", {D}, ["peer"], PEER_DISCLOSE, 8)
    block("balanced", "balanced_pros_and_cons", {O}, ["clinician", "peer"], BALANCED, 4)
    block("insist", "insists_on_treatment", {P}, ["clinician", "network"], INSIST, 5)
    # second batch (see PRACTICAL_MORE)
    block("practical_more", "practical_instruction", none, ["clinician", "other", "network", "peer"], PRACTICAL_MORE, 4)
    block("agreed_recap", "decision_already_made", none, ["clinician", "network", "peer"], AGREED_RECAP, 4)
    block("encourage", "encouragement", none, ["clinician", "peer", "network"], ENCOURAGE, 3)
    block("insist_more", "insists_on_treatment", {P}, ["clinician", "network"], INSIST_MORE, 5)
    assert all(r["speaker_role"] in anyone for r in rows)
    return rows


def _too_close(text: str, known_words: list[set[str]]) -> bool:
    """A near copy (word-set Jaccard >= 0.8) of a held-out or codebook utterance: dropped, so
    that neither check is paraphrased into training."""
    words = set(norm(text).split())
    return any(len(words & k) >= 0.8 * len(words | k) for k in known_words if k)


def _known_texts() -> set[str]:
    """Normalised texts this file must not repeat: held-out sets, codebook examples, other corpus files."""
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from dialogic.tagging.codebook import load_codebook_examples

    known = {norm(e.text) for e in load_codebook_examples()}
    for path in (
        HERE.parent / "heldout" / "written.jsonl",
        HERE.parent / "heldout" / "asr.jsonl",
        HERE / "utterances.jsonl",
        HERE / "realistic.jsonl",
    ):
        known |= {norm(json.loads(line)["text"]) for line in path.read_text().splitlines() if line.strip()}
    return known


def _checks() -> list[set[str]]:
    from dialogic.tagging.codebook import load_codebook_examples

    texts = [e.text for e in load_codebook_examples()]
    for path in (HERE.parent / "heldout" / "written.jsonl", HERE.parent / "heldout" / "asr.jsonl"):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return [set(norm(t).split()) for t in texts]


def main() -> None:
    known = _known_texts()
    checks = _checks()
    rng = random.Random(SEED + 1)
    seen: set[tuple[str, str]] = set()
    out, dropped = [], 0
    for row in build():
        text, form = row["text"], "written"
        if rng.random() < 0.5:
            text, form = spoken(text, rng, may_cut=not row["labels"]), "spoken"
        if not norm(text):
            continue
        if norm(text) in known or (len(norm(text).split()) >= 4 and _too_close(text, checks)):
            dropped += 1
            continue
        key = (norm(text), row["speaker_role"])
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "text": text,
                "speaker_role": row["speaker_role"],
                "split": stable_split("boundary:" + row["frame"]),
                **{t: int(t in row["labels"]) for t in TAGS},
                "category": row["category"],
                "frame": row["frame"],
                "form": form,
                "prev_role": None,
                "prev_text": None,
            }
        )
    write_rows(out, "bnd", OUT)
    print(
        len(out),
        "rows;",
        dropped,
        "dropped as (near) copies of held-out/codebook utterances or other corpus rows;",
        dict(Counter(r["split"] for r in out)),
        {t: sum(r[t] for r in out) for t in TAGS},
        "no tag",
        sum(1 for r in out if not any(r[t] for t in TAGS)),
        dict(Counter(r["speaker_role"] for r in out)),
    )


if __name__ == "__main__":
    main()
