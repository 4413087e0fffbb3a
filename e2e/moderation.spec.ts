/** Authors edit and delete their own messages; everyone else sees it live. */
import { expect, test } from "@playwright/test";
import { joinAsGuest, messages, newUserPage } from "./helpers";

test("an author edits and deletes a message, and the other user sees both live", async ({ browser }) => {
  const author = await newUserPage(browser);
  const reader = await newUserPage(browser);
  await joinAsGuest(author.page, "Editor");
  await joinAsGuest(reader.page, "Reader");
  await author.page.goto("/r/general");
  await reader.page.goto("/r/general");

  const box = author.page.getByLabel("Message #general");
  await box.fill("teh quick fox");
  await box.press("Enter");
  await expect(messages(reader.page, "teh quick fox")).toHaveCount(1);

  const mine = messages(author.page, "teh quick fox");
  await mine.hover();
  await mine.getByRole("button", { name: "Edit message" }).click();
  const editor = author.page.getByLabel("Edit your message");
  await editor.fill("the quick fox");
  await editor.press("Enter");
  await expect(messages(reader.page, "the quick fox")).toContainText("(edited)");
  await expect(messages(reader.page, "teh quick fox")).toHaveCount(0);

  // Others cannot edit or delete it.
  await messages(reader.page, "the quick fox").hover();
  await expect(messages(reader.page, "the quick fox").getByRole("button", { name: "Delete message" })).toHaveCount(0);

  const edited = messages(author.page, "the quick fox");
  await edited.hover();
  await edited.getByRole("button", { name: "Delete message" }).click();
  await author.page.getByRole("group", { name: "Delete this message for everyone?" }).getByRole("button", { name: "Delete" }).click();
  await expect(messages(reader.page, "the quick fox")).toHaveCount(0);
  await expect(messages(author.page, "the quick fox")).toHaveCount(0);

  // And it stays gone after a reload.
  await reader.page.reload();
  await expect(reader.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect(messages(reader.page, "the quick fox")).toHaveCount(0);
  await author.context.close();
  await reader.context.close();
});
