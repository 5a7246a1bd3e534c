# messages
language-unknown = There is no "{ $lang }" translation; pick one of the languages in the list.
