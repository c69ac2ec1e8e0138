/**
 * Names for the people the dataset leaves out: it has companies and deals
 * but no contacts. Deterministic, so every seed of the demo tenant has the
 * same people and the README can name them.
 */
const firstNames = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Sophie', 'John', 'Annie', 'Niklaus', 'Joan'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Berners', 'Lamarr', 'Knuth', 'Wilson', 'Backus', 'Easley', 'Wirth', 'Clarke'];
const titles = ['Head of Purchasing', 'CTO', 'Operations Manager', 'IT Director', 'Procurement Lead'];

/** A person, the `index`-th of the list: names cycle so that neighbours differ in both names. */
export function person(index: number): { firstName: string; lastName: string; title: string } {
  return {
    firstName: firstNames[index % firstNames.length]!,
    lastName: lastNames[(index * 7 + Math.floor(index / lastNames.length)) % lastNames.length]!,
    title: titles[index % titles.length]!,
  };
}

/** `Acme Corporation` -> `acme-corporation.example`: a domain that can never receive mail. */
export function exampleDomain(companyName: string): string {
  return `${companyName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.example`;
}
