-- The sending pace is read from the stored send times (issue 24: a phone that moves to another
-- node keeps its pace): the phone's latest hand-overs by "sentAt".

-- CreateIndex
CREATE INDEX "Message_phoneId_sentAt_idx" ON "Message"("phoneId", "sentAt");
