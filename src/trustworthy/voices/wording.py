"""What participants read: the questions and groups in their own words.

Kept short and plain (the tests check a reading age of about 9 to 11 with textstat).
"""

from __future__ import annotations

QUESTIONS: dict[str, str] = {
    "good": "What could be good about this idea?",
    "worries": "What worries you about it?",
    "who_else": "Who else should we ask?",
    "understand": "Do you understand why we might do this? Tell us what makes sense and what does not.",
    "anything_else": "Is there anything else you want the people deciding to know?",
}

# The framework's stakeholder groups, as a participant would say it.
GROUPS: dict[str, str] = {
    "young-people": "I am a child or young person",
    "parents-and-families": "I am a parent or family member",
    "carers": "I am a carer, like a foster carer",
    "practitioners": "I work with children and families",
    "partner-agencies": "I work for another service, like a school or the NHS",
    "community": "I live in the area",
}

ABOUT_ANSWERS = (
    "Your answers help the people who decide. They will read every answer. "
    "We do not ask for your name. We do not keep anything about your phone or computer."
)

NO_NAMES = (
    "Please do not write your name, or anyone else's name. "
    "Do not write addresses, phone numbers or dates of birth."
)

DEFAULT_SAFEGUARDING = (
    "If you are worried about your safety, or someone else's, tell an adult you trust. "
    "You can call Childline for free on 0800 1111."
)
