"""How values are said in words, in English and Chinese: relative days ("this Saturday", 下周一),
numbers in words ("a couple of", 三), and whether a value has been said in a conversation.

Takes plain text and values; gives parsed values and phrases. The simulated user speaks with it,
the offline assistant and the judge read with it, so both sides agree on what was said.
"""
