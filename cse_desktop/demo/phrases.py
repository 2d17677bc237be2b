"""Word banks for the synthetic data: invented names, places and practitioner-style sentences.

Every name and place here is made up.  Names are put together at random from these lists, so
they do not describe anyone.  ``{name}`` in a sentence is replaced by the child's name.
"""

from __future__ import annotations

# The first children of every caseload, so demos always show non-ASCII names.
FEATURED_CHILDREN = (
    ("Zoë", "Nowak", "female"),
    ("Siobhán", "Ó Briain", "female"),
    ("Łukasz", "Wiśniewski", "male"),
    ("Chiamaka", "Okafor", "female"),
    ("Aoife", "Ní Bhriain", "female"),
)

GIRLS = (
    "Zoë",
    "Siobhán",
    "Chiamaka",
    "Aoife",
    "Amara",
    "Niamh",
    "Ellie-Mae",
    "Ayesha",
    "Freya",
    "Ioana",
    "Leah",
    "Marta",
    "Safiya",
    "Renée",
    "Kinga",
    "Tegan",
    "Maja",
    "Nkechi",
    "Róisín",
)
BOYS = (
    "Łukasz",
    "Oluwaseun",
    "Mihai",
    "Jayden",
    "Dawid",
    "Kwame",
    "Tomás",
    "Bartek",
    "Reuben",
    "Callum",
    "Ciarán",
    "Kacper",
    "Tyrese",
    "Jakub",
    "Rhys",
    "Emeka",
    "Søren",
    "Darius",
)
# (form for boys, form for girls)
SURNAMES = (
    ("Nowak", "Nowak"),
    ("Ó Briain", "Ní Bhriain"),
    ("Wiśniewski", "Wiśniewska"),
    ("Okafor", "Okafor"),
    ("Kowalczyk", "Kowalczyk"),
    ("Popescu", "Popescu"),
    ("Hartley-Finch", "Hartley-Finch"),
    ("Mensah", "Mensah"),
    ("Ó Ceallaigh", "Ní Cheallaigh"),
    ("Thornbury", "Thornbury"),
    ("Oyelaran", "Oyelaran"),
    ("Ferreira", "Ferreira"),
    ("Quinlan-Day", "Quinlan-Day"),
    ("Dąbrowski", "Dąbrowska"),
    ("Achterberg", "Achterberg"),
    ("Nakamura-Bell", "Nakamura-Bell"),
)
NICKNAMES = {
    "Łukasz": "Luke",
    "Chiamaka": "Chi",
    "Oluwaseun": "Seun",
    "Ellie-Mae": "Ellie",
    "Bartek": "Bart",
    "Nkechi": "Kechi",
    "Tomás": "Tom",
    "Zoë": "Zo",
}

TOWNS = ("Wrenmouth", "Ashby Vale", "Kestrel Bridge", "Holloway Cross", "Millbeck")
STREETS = (
    "Larkspur Close",
    "Tannery Row",
    "Foundry Lane",
    "Orchard Rise",
    "Beacon Walk",
    "Cinder Street",
    "Weaver's Court",
)
SCHOOLS = (
    "Wrenmouth Academy",
    "Ashby Vale High School",
    "Kestrel Bridge College",
    "Millbeck Pupil Referral Unit",
    "Holloway Cross School",
)
WORKERS = (
    "Priya Lindqvist",
    "Tom Okonjo-Hale",
    "Grace Mbatha",
    "Ewan Szabo",
    "Helen Fairweather",
    "Yusuf Brannigan",
)
PLACES = (
    "the retail park on Foundry Lane",
    "a flat above the takeaway in Millbeck",
    "Wrenmouth bus station",
    "a friend's house in Ashby Vale",
    "the skate park",
    "a caravan near Kestrel Bridge",
    "a hotel by the ring road",
    "an address in another town",
    "the canal towpath",
    "a party at a house they did not know",
)
PEOPLE = (
    "a group of older lads",
    "a boyfriend aged about 19",
    "two men known as 'the cousins'",
    "friends from school",
    "an older girl called 'Jaz'",
    "people the child would not name",
    "a man who drives a black car",
    "their older brother's friends",
)

NOTE_SENTENCES = (
    "Met {name} at the usual place; they were quiet at first but talked more after a while.",
    "{name} said they had been staying with friends and did not want to say where.",
    "Discussed healthy relationships using the session plan; {name} engaged well.",
    "{name} had a new phone and would not say where it came from.",
    "Carer reports {name} has been coming home late most nights this week.",
    "School say attendance has dropped to around 60% this term.",
    "{name} talked about feeling pressured to carry things for older boys.",
    "We agreed a code word {name} can text if they feel unsafe.",
    "{name} seemed tired and had a cut on their hand that they said was from football.",
    "Spoke to the police missing persons coordinator about the pattern of episodes.",
    "Shared concerns with the allocated social worker by phone after the visit.",
    "{name} said they are happier since moving placement and have joined a boxing club.",
    "Went through the safety plan again; {name} could name two trusted adults.",
    "{name} mentioned being given vapes and cannabis by people at the park.",
    "Mum is worried about messages {name} gets late at night from numbers she does not know.",
    "{name} did not attend the planned session; left a voicemail and sent a text.",
    "Strategy meeting held; agreed actions are recorded below.",
    "{name} asked for help with a college application and we made a plan for next week.",
    "Outreach in the town centre with police colleagues; {name} was seen with older youths.",
    "{name} disclosed that someone had shared a photo of them online without permission.",
    "Talked through what {name} would like to happen next; they want to stay at school.",
    "Drove {name} to the sexual health clinic appointment and waited with them.",
    "Residential staff describe {name} as settled this week with no missing episodes.",
    "{name} said 'I'm fine, it's not like that, they're just my mates'.",
)
CHILD_QUOTES = (
    "'I just needed to get away for a bit.'",
    "'They look after me. Nobody else does.'",
    "'I don't want my mum to know.'",
    "'I was scared but I'm alright now.'",
    "'It's not a big deal, everyone does it.'",
    "'I want to go back to school properly.'",
    "'Can you help me get my phone back?'",
    "'I didn't think anyone would notice I'd gone.'",
)
CHILD_WANTS = (
    "To stay in their placement and see their little sister more often.",
    "For the police not to be involved.",
    "To change school and make a fresh start.",
    "More time with their key worker and help with college.",
    "To be left alone about it for now.",
)
LATE_REASONS = (
    "The child could not be reached for three days despite calls and a home visit.",
    "The episode was not notified to the service until four days after the child returned.",
    "Staff sickness over the bank holiday weekend; offered at the first opportunity.",
    "The child was in hospital and not well enough to be seen.",
)
OVERRIDE_REASONS = (
    "Child disclosed being given drugs by an adult in exchange for carrying packages; "
    "there is a risk of significant harm, so police and social care must be told.",
    "Child described being taken to another town by adults; sharing without asking to protect "
    "the child and others.",
)
ACTIONS = (
    ("Refer to MASH", "Duty social worker"),
    ("Share intelligence form with police", "Outreach worker"),
    ("Book sexual health appointment", "Nurse practitioner"),
    ("Update the safety plan with carers", "Key worker"),
    ("Arrange a strategy meeting", "Team lead"),
    ("Check in with school attendance officer", "Outreach worker"),
    ("Follow up referral to substance misuse service", "Key worker"),
)
