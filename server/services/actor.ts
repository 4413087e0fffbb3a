/** Who is acting: the signed-in user as the domain sees them. */
export interface Actor {
  id: string;
  name: string;
  role: string;
  guest: boolean;
}
